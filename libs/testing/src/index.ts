export * from './servers';
export * from './temp-dir';
export * from './decider-spec';
export * from './in-memory.event-store';
export * from './ledger-fixture';
export * from './fault-proxy';
