/** Shared Jest settings: ts-jest without type-checking (npm test runs tsc first). */

// Dependencies published only as ES modules. Node 20 can require() them, Jest's module
// runtime cannot, so Jest compiles them to CommonJS like our own sources.
const ESM_ONLY_DEPENDENCIES = ['content-disposition'];
const TRANSFORMED_DEPENDENCIES = [...ESM_ONLY_DEPENDENCIES, '@electric-sql/pglite'];

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '/@electric-sql/pglite/dist/.*\\.cjs$': '<rootDir>/test/jest/builtin-import.transform.js',
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
    '^.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, diagnostics: false },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${TRANSFORMED_DEPENDENCIES.join('|')})/)`],
  moduleNameMapper: {
    '^@ledger/(domain|ledger|event-store|projections|testing|seed)$': '<rootDir>/libs/$1/src',
    // A library's second entry point, e.g. @ledger/ledger/testing → libs/ledger/src/testing.
    '^@ledger/(domain|ledger|event-store|projections|testing|seed)/(.+)$':
      '<rootDir>/libs/$1/src/$2',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 30000,
};
