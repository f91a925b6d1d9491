// The same suites against real PostgreSQL and Redis (and KurrentDB when KURRENTDB_URL is set).
const base = require('./jest.base.config');

module.exports = {
  ...base,
  testRegex: '\\.int-spec\\.ts$',
  // Suites share one PostgreSQL server; two workers keep them from starving each other on 2 cores.
  maxWorkers: 2,
};
