export * from './tool.ts';
export * from './registry.ts';
export * from './langchain.ts';
export * from './builtins/index.ts';
