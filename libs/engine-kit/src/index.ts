export * from './engine-routes.ts';
export * from './child-workflows.ts';
export * from './budgeted-llm.ts';
export * from './tenant-toolbox.ts';
export * from './token-estimate.ts';
