import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  EXIT_KILLED,
  EXIT_TIMEOUT,
  runBlocksInOrder,
  unsupportedLanguage,
  type CodeBlock,
  type CodeExecutionResult,
  type CodeExecutor,
  type ExecuteOptions,
} from './code-executor.ts';
import type { IsolateJob, IsolateOutcome } from './js-isolate-runner.ts';

export interface IsolateJavaScriptExecutorOptions {
  /** CPU time one block may take inside the isolate. Default 5000. */
  timeoutMs?: number;
  /** Heap limit of the isolate in MB (isolated-vm's minimum is 8). Default 64. */
  memoryLimitMb?: number;
  /** Characters of stdout and of stderr kept per block. Default 64 KiB. */
  maxOutputChars?: number;
}

// From sources the runner is TypeScript, run through tsx; a production build ships it compiled beside this module.
const COMPILED = import.meta.url.endsWith('.js');
const RUNNER = fileURLToPath(new URL(COMPILED ? './js-isolate-runner.js' : './js-isolate-runner.ts', import.meta.url));
// Wall-time allowance on top of the isolate's own limit for starting Node and the isolate.
const STARTUP_ALLOWANCE_MS = 10_000;

/**
 * Runs JavaScript blocks in a fresh V8 isolate (isolated-vm) inside a short-lived child process:
 * a heap limit, a time limit, no require, no process, no network, no file system; console output is
 * captured. The child process is killed on abort and when it outlives the time limit.
 */
export class IsolateJavaScriptExecutor implements CodeExecutor {
  readonly languages = ['javascript'] as const;
  private readonly timeoutMs: number;
  private readonly memoryLimitMb: number;
  private readonly maxOutputChars: number;

  constructor(options: IsolateJavaScriptExecutorOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.memoryLimitMb = Math.max(8, options.memoryLimitMb ?? 64);
    this.maxOutputChars = options.maxOutputChars ?? 64 * 1024;
  }

  execute(blocks: CodeBlock[], options: ExecuteOptions = {}): Promise<CodeExecutionResult> {
    return runBlocksInOrder(blocks, options, (block) =>
      block.language === 'javascript' ? this.runOne(block.code, options.signal) : Promise.resolve(unsupportedLanguage(block.language, this.languages)),
    );
  }

  private runOne(code: string, signal?: AbortSignal): Promise<CodeExecutionResult> {
    const started = Date.now();
    const job: IsolateJob = { code, memoryLimitMb: this.memoryLimitMb, timeoutMs: this.timeoutMs, maxOutputChars: this.maxOutputChars };
    return new Promise((resolve) => {
      const child = fork(RUNNER, [], {
        execArgv: ['--no-node-snapshot', ...(COMPILED ? [] : ['--import', import.meta.resolve('tsx')]), `--max-old-space-size=${this.memoryLimitMb + 128}`],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        env: {},
      });
      let hostError = '';
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        if (hostError.length < 4096) hostError += chunk;
      });
      let outcome: IsolateOutcome | undefined;
      let stoppedBy: 'abort' | 'wall-time' | undefined;
      const stop = (why: 'abort' | 'wall-time') => {
        stoppedBy ??= why;
        child.kill('SIGKILL');
      };
      const onAbort = () => stop('abort');
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) stop('abort');
      const timer = setTimeout(() => stop('wall-time'), this.timeoutMs + STARTUP_ALLOWANCE_MS);
      child.on('message', (message: IsolateOutcome) => (outcome = message));
      child.on('error', (error) => (hostError += error.message));
      child.on('exit', (code, exitSignal) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const base = { language: 'javascript', durationMs: Date.now() - started, aborted: stoppedBy === 'abort' };
        if (outcome && !stoppedBy) return resolve({ ...outcome, ...base });
        if (stoppedBy === 'abort') return resolve({ ...base, exitCode: 130, stdout: '', stderr: 'Execution was cancelled.\n', timedOut: false, memoryExceeded: false });
        if (stoppedBy === 'wall-time') {
          return resolve({ ...base, exitCode: EXIT_TIMEOUT, stdout: '', stderr: `The code was stopped: it ran longer than the ${this.timeoutMs} ms time limit.\n`, timedOut: true, memoryExceeded: false });
        }
        // The host process died without an answer: treat it as the code's failure, not the engine's.
        const oom = /heap out of memory|memory limit/i.test(hostError);
        resolve({
          ...base,
          exitCode: oom ? EXIT_KILLED : 1,
          stdout: '',
          stderr: oom ? `The code was stopped: it used more than the ${this.memoryLimitMb} MB memory limit.\n` : `The JavaScript sandbox exited unexpectedly (${exitSignal ?? `code ${code}`}).\n${hostError}`,
          timedOut: false,
          memoryExceeded: oom,
        });
      });
      child.send(job);
    });
  }
}
