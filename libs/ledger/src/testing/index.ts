export * from './ledger-fixture';
export * from './ledger-concurrency.suite';
