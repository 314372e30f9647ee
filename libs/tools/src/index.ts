export * from './tool.ts';
export * from './registry.ts';
export * from './langchain.ts';
export * from './builtins/index.ts';
export * from './tenant-tool-settings.ts';
export * from './platform-tools.ts';
export * from './mcp/index.ts';
