// ts-jest wants an AST transformer module with `factory`; @nestjs/swagger 12 ships an ES module with `before`.
// This adapter lets tests compile DTOs exactly as `nest build` does (Swagger CLI plugin on).
const { before } = require('@nestjs/swagger/plugin');

module.exports = {
  name: 'nestjs-swagger-plugin',
  version: 1,
  factory: (tsCompiler, options) => before(options, tsCompiler.program),
};
