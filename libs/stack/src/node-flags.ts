/** Node's flag that backs AsyncLocalStorage with AsyncContextFrame instead of async_hooks. */
export const ASYNC_CONTEXT_FRAME_FLAG = '--experimental-async-context-frame';

/**
 * The Node flags every service process starts with, for the Node version given (this process's by
 * default). On Node 22.7 to 23, AsyncLocalStorage is backed by AsyncContextFrame instead of
 * async_hooks' promise hooks, which otherwise run on every promise once a context is stored: the
 * trace context and the engines' run context (docs/benchmarks.md, (f)). Node 24 does this by
 * default; Node 20 does not have it. The container image makes the same choice in shell, in
 * infra/docker/start-service.sh: a change to the versions here belongs there too (the infra test
 * checks the two agree).
 */
export function serviceNodeFlags(version: string = process.versions.node): string[] {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const hasFlag = (major === 22 && minor >= 7) || major === 23;
  const already = (process.env.NODE_OPTIONS ?? '').includes(ASYNC_CONTEXT_FRAME_FLAG) || process.execArgv.includes(ASYNC_CONTEXT_FRAME_FLAG);
  return hasFlag && !already ? [ASYNC_CONTEXT_FRAME_FLAG] : [];
}
