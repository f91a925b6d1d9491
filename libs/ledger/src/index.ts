export * from './config/ledger-config';
export * from './infrastructure/ledger-core.module';
export * from './infrastructure/queue-probe';
export * from './infrastructure/tokens';
