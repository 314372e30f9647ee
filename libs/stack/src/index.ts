export * from './services.ts';
export * from './service-supervisor.ts';
export * from './infrastructure.ts';
export * from './distributed-stack.ts';
export * from './node-flags.ts';
