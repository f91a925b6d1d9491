export * from './servers';
export * from './temp-dir';
export * from './decider-spec';
export * from './in-memory.event-store';
export * from './fault-proxy';
export * from './all-events';
export * from './workbook';
export * from './grpc-stand-in';
