export * from './plan';
export * from './seed';
