// Unit tests, the embedded-store contract suite and e2e tests: no server needed.
const base = require('./jest.base.config');

module.exports = {
  ...base,
  testRegex: '/(libs|apps|test)/.*\\.(spec|e2e-spec)\\.ts$',
};
