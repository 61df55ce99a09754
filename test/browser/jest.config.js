// `npm run test:browser`: Swagger UI driven in a real headless Chromium (Debian's, never a
// downloaded browser). Not part of `npm test`; `.ci/run` runs it after installing chromium.
const base = require('../../jest.config.js').projects.find((project) => project.displayName === 'e2e');

module.exports = {
  ...base,
  displayName: 'browser',
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  testTimeout: 120_000,
};
