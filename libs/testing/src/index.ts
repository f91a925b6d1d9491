export * from './servers';
export * from './temp-dir';
