export * from './code-executor.ts';
export { IsolateJavaScriptExecutor, type IsolateJavaScriptExecutorOptions } from './js-isolate-executor.ts';
export { PythonSandboxExecutor, type PythonSandboxExecutorOptions, type PythonSandboxSupport } from './python-sandbox-executor.ts';
export { DynamicSessionsExecutor, DYNAMIC_SESSIONS_SCOPE, type DynamicSessionsExecutorOptions } from './dynamic-sessions-executor.ts';
export { LocalSandboxExecutor } from './local-sandbox-executor.ts';
export { extractCodeBlocks } from './code-blocks.ts';
