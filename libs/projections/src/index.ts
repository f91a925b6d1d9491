export * from './periods';
export * from './projection';
export * from './projections';
export * from './read-models';
export * from './rebuild';
export * from './queries';
export * from './workflows.projections';
