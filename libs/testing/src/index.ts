export * from './servers';
export * from './temp-dir';
export * from './decider-spec';
