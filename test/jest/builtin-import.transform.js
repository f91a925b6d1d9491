// Jest transformer for PGlite's CommonJS build, which loads Node built-ins with dynamic
// import(). Jest's module runtime only supports import() behind --experimental-vm-modules, and
// that flag makes it refuse ESM-only dependencies (content-disposition) that Node itself loads.
// Rewriting `import("fs")` to a resolved require keeps both working. Built-ins only.
const { builtinModules } = require('node:module');
const { createHash } = require('node:crypto');

const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const DYNAMIC_IMPORT = /\bimport\(\s*(["'])([^"']+)\1\s*\)/g;

module.exports = {
  process(source) {
    const code = source.replace(DYNAMIC_IMPORT, (match, _quote, name) =>
      BUILTINS.has(name)
        ? `Promise.resolve(__esmNamespace(__require(${JSON.stringify(name)})))`
        : match,
    );
    // What import() gives for a built-in: its named exports plus `default`. `__require` is the
    // module's own require: the bundle declares a local `var require` that shadows it.
    const helper =
      'var __require = require;\n' +
      'function __esmNamespace(m) { return Object.assign({}, m, { default: m }); }\n';
    return { code: helper + code };
  },
  getCacheKey(source, path) {
    return createHash('sha256')
      .update('builtin-import-v3')
      .update(path)
      .update(source)
      .digest('hex');
  },
};
