// NestJS 12 publishes ES modules only. Node 20 loads them from CommonJS natively (require(esm)), but
// Jest's own module system cannot before Node 24.9. For tests only, this transformer rewrites those
// packages to CommonJS with TypeScript's transpiler; the service itself runs the packages untouched.
const ts = require('typescript');
const { createHash } = require('node:crypto');

const SELF_REQUIRE = /(?:const|let|var)\s+require\s*=\s*createRequire\(import\.meta\.url\);?/g;

module.exports = {
  getCacheKey(source, path) {
    return createHash('sha256').update('esm-to-cjs-v1').update(path).update(source).digest('hex');
  },
  process(source, path) {
    const rewritten = source
      .replace(SELF_REQUIRE, '')
      .replace(/createRequire\(import\.meta\.url\)/g, 'require')
      .replace(/import\.meta\.url/g, "require('node:url').pathToFileURL(__filename).href")
      .replace(/import\.meta\.dirname/g, '__dirname')
      .replace(/import\.meta\.filename/g, '__filename');
    const { outputText, sourceMapText } = ts.transpileModule(rewritten, {
      fileName: path,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        allowJs: true,
        sourceMap: true,
      },
    });
    return { code: outputText, map: sourceMapText };
  },
};
