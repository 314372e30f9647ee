// Runs in its own short-lived Node process (forked by IsolateJavaScriptExecutor with
// --no-node-snapshot, which isolated-vm needs on Node 20+): one V8 isolate with a heap limit and a
// CPU-time limit, no require/process/network, only a console that is captured. A separate process
// means even an isolate failure that takes its host down cannot reach the engine.
import ivm from 'isolated-vm';
import { EXIT_KILLED, EXIT_TIMEOUT, OutputBuffer } from './code-executor.ts';

export interface IsolateJob {
  code: string;
  memoryLimitMb: number;
  timeoutMs: number;
  maxOutputChars: number;
}

export interface IsolateOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  memoryExceeded: boolean;
}

// The only bridge out of the isolate: console writes a line through a host callback.
const CONSOLE_SHIM = `
const __format = (value) => {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.stack || String(value);
  if (typeof value === 'object' && value !== null) { try { return JSON.stringify(value); } catch { return String(value); } }
  return String(value);
};
const __write = __host_write;
delete globalThis.__host_write;
globalThis.console = {
  log: (...args) => __write(1, args.map(__format).join(' ')),
  info: (...args) => __write(1, args.map(__format).join(' ')),
  debug: (...args) => __write(1, args.map(__format).join(' ')),
  warn: (...args) => __write(2, args.map(__format).join(' ')),
  error: (...args) => __write(2, args.map(__format).join(' ')),
};
`;

export async function runInIsolate(job: IsolateJob): Promise<IsolateOutcome> {
  const stdout = new OutputBuffer(job.maxOutputChars);
  const stderr = new OutputBuffer(job.maxOutputChars);
  const isolate = new ivm.Isolate({ memoryLimit: job.memoryLimitMb });
  try {
    const context = await isolate.createContext();
    await context.global.set('__host_write', new ivm.Callback((stream: number, line: string) => (stream === 2 ? stderr : stdout).append(`${line}\n`)));
    await context.eval(CONSOLE_SHIM);
    await context.eval(job.code, { timeout: job.timeoutMs, promise: true, filename: 'main.js' });
    return { exitCode: 0, stdout: stdout.toString(), stderr: stderr.toString(), timedOut: false, memoryExceeded: false };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (isolate.isDisposed || /memory limit/i.test(message)) {
      stderr.append(`The code was stopped: it used more than the ${job.memoryLimitMb} MB memory limit.\n`);
      return { exitCode: EXIT_KILLED, stdout: stdout.toString(), stderr: stderr.toString(), timedOut: false, memoryExceeded: true };
    }
    if (/timed out/i.test(message)) {
      stderr.append(`The code was stopped: it ran longer than the ${job.timeoutMs} ms time limit.\n`);
      return { exitCode: EXIT_TIMEOUT, stdout: stdout.toString(), stderr: stderr.toString(), timedOut: true, memoryExceeded: false };
    }
    stderr.append(`${error instanceof Error && error.stack ? error.stack : message}\n`);
    return { exitCode: 1, stdout: stdout.toString(), stderr: stderr.toString(), timedOut: false, memoryExceeded: false };
  } finally {
    if (!isolate.isDisposed) isolate.dispose();
  }
}

if (process.send) {
  process.once('message', (job: IsolateJob) => {
    void runInIsolate(job).then((outcome) => process.send!(outcome, () => process.exit(0)));
  });
}
