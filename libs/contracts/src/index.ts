export * from './errors.ts';
export * from './enums.ts';
export * from './workflow-hints.ts';
export * from './universal-state.ts';
export * from './workflow-events.ts';
export * from './engine-protocol.ts';
export * from './tenant-context.ts';
