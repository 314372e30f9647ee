import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  EXIT_KILLED,
  EXIT_TIMEOUT,
  OutputBuffer,
  runBlocksInOrder,
  unsupportedLanguage,
  type CodeBlock,
  type CodeExecutionResult,
  type CodeExecutor,
  type ExecuteOptions,
} from './code-executor.ts';

export interface PythonSandboxExecutorOptions {
  /** Wall time one block may take; the whole process tree is killed after it. Default 10000. */
  timeoutMs?: number;
  /** Address-space limit (RLIMIT_AS) of the Python process in MB. Default 512. */
  memoryLimitMb?: number;
  /** Characters of stdout and of stderr kept per block. Default 64 KiB. */
  maxOutputChars?: number;
  /** The interpreter; default /usr/bin/python3 (its installation is mounted read-only). */
  pythonPath?: string;
  /** bubblewrap; default bwrap on the PATH. */
  bwrapPath?: string;
  /** prlimit from util-linux; default prlimit on the PATH. */
  prlimitPath?: string;
}

/** What this machine offers to confine Python, checked once per executor. */
export interface PythonSandboxSupport {
  available: boolean;
  /** Why not, when it is not. */
  reason?: string;
}

/**
 * Runs Python blocks in a bubblewrap sandbox: fresh user, PID, network, IPC and mount namespaces,
 * a root file system holding only /usr (read-only, for the interpreter and its standard library),
 * a private /tmp and the block's own temporary working directory; RLIMIT_AS (prlimit) bounds memory,
 * a wall-time limit kills the process tree, and a new network namespace means sockets reach nothing.
 * Without bwrap it refuses to run code rather than run it unconfined (see decision 006).
 */
export class PythonSandboxExecutor implements CodeExecutor {
  readonly languages = ['python'] as const;
  private readonly timeoutMs: number;
  private readonly memoryLimitMb: number;
  private readonly maxOutputChars: number;
  private readonly pythonPath: string;
  private readonly bwrapPath: string;
  private readonly prlimitPath: string;
  private support: PythonSandboxSupport | undefined;

  constructor(options: PythonSandboxExecutorOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.memoryLimitMb = options.memoryLimitMb ?? 512;
    this.maxOutputChars = options.maxOutputChars ?? 64 * 1024;
    this.pythonPath = options.pythonPath ?? '/usr/bin/python3';
    this.bwrapPath = options.bwrapPath ?? 'bwrap';
    this.prlimitPath = options.prlimitPath ?? 'prlimit';
  }

  /** Whether bwrap, prlimit and the interpreter work here (bwrap needs namespaces the kernel may refuse). */
  checkSupport(): PythonSandboxSupport {
    if (this.support) return this.support;
    const probe = spawnSync(this.prlimitPath, [`--as=${this.memoryLimitMb * 1024 * 1024}`, '--', ...this.bwrapArgs('/tmp'), '-c', 'print(1)'], {
      encoding: 'utf8',
      timeout: 10_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    this.support =
      probe.status === 0 && probe.stdout.trim() === '1'
        ? { available: true }
        : { available: false, reason: probe.error ? `${probe.error.message}` : `the sandbox probe failed: ${(probe.stderr || '').trim().slice(0, 300)}` };
    return this.support;
  }

  execute(blocks: CodeBlock[], options: ExecuteOptions = {}): Promise<CodeExecutionResult> {
    return runBlocksInOrder(blocks, options, (block) => {
      if (block.language !== 'python') return Promise.resolve(unsupportedLanguage(block.language, this.languages));
      const support = this.checkSupport();
      if (!support.available) {
        return Promise.resolve({
          ...unsupportedLanguage('python', []),
          exitCode: 1,
          stderr: `Python code was not run: the Python sandbox (bubblewrap) is not available on this server (${support.reason}).`,
        });
      }
      return this.runOne(block.code, options.signal);
    });
  }

  /** The interpreter's installation, mounted read-only when it lives outside /usr. */
  private interpreterRoot(): string | undefined {
    const real = realpathSync(this.pythonPath);
    if (real.startsWith('/usr/')) return undefined;
    return dirname(dirname(real));
  }

  private bwrapArgs(workDir: string): string[] {
    const extraRoot = this.interpreterRoot();
    return [
      this.bwrapPath,
      '--unshare-all',
      '--die-with-parent',
      '--new-session',
      '--ro-bind', '/usr', '/usr',
      '--symlink', 'usr/lib', '/lib',
      '--symlink', 'usr/lib64', '/lib64',
      '--symlink', 'usr/bin', '/bin',
      ...(extraRoot ? ['--ro-bind', extraRoot, extraRoot] : []),
      '--proc', '/proc',
      '--dev', '/dev',
      '--tmpfs', '/tmp',
      '--bind', workDir, '/work',
      '--chdir', '/work',
      '--clearenv',
      '--setenv', 'PATH', '/usr/bin:/bin',
      '--setenv', 'HOME', '/work',
      '--setenv', 'PYTHONDONTWRITEBYTECODE', '1',
      '--setenv', 'PYTHONUNBUFFERED', '1',
      '--',
      this.pythonPath,
      '-I',
    ];
  }

  private async runOne(code: string, signal?: AbortSignal): Promise<CodeExecutionResult> {
    const started = Date.now();
    const workDir = await mkdtemp(join(tmpdir(), 'switchyard-py-'));
    try {
      await writeFile(join(workDir, 'main.py'), code);
      return await new Promise<CodeExecutionResult>((resolve) => {
        const child = spawn(
          this.prlimitPath,
          [`--as=${this.memoryLimitMb * 1024 * 1024}`, `--fsize=${64 * 1024 * 1024}`, '--nofile=256', '--', ...this.bwrapArgs(workDir), 'main.py'],
          { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
        );
        const stdout = new OutputBuffer(this.maxOutputChars);
        const stderr = new OutputBuffer(this.maxOutputChars);
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.append(chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.append(chunk));
        let stoppedBy: 'abort' | 'timeout' | undefined;
        const stop = (why: 'abort' | 'timeout') => {
          stoppedBy ??= why;
          // The process group: prlimit and bwrap; bwrap's --die-with-parent and its PID namespace take the rest.
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        };
        const onAbort = () => stop('abort');
        signal?.addEventListener('abort', onAbort, { once: true });
        if (signal?.aborted) stop('abort');
        const timer = setTimeout(() => stop('timeout'), this.timeoutMs);
        child.on('close', (exitCode, exitSignal) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          const base = { language: 'python', durationMs: Date.now() - started, aborted: stoppedBy === 'abort', timedOut: stoppedBy === 'timeout' };
          const err = stderr.toString();
          if (stoppedBy === 'abort') return resolve({ ...base, exitCode: 130, stdout: stdout.toString(), stderr: `${err}Execution was cancelled.\n`, memoryExceeded: false });
          if (stoppedBy === 'timeout') {
            return resolve({ ...base, exitCode: EXIT_TIMEOUT, stdout: stdout.toString(), stderr: `${err}The code was stopped: it ran longer than the ${this.timeoutMs} ms time limit.\n`, memoryExceeded: false });
          }
          const memoryExceeded = /\bMemoryError\b/.test(err) || exitSignal === 'SIGKILL';
          resolve({
            ...base,
            exitCode: exitCode ?? EXIT_KILLED,
            stdout: stdout.toString(),
            stderr: memoryExceeded ? `${err}The code was stopped: it used more than the ${this.memoryLimitMb} MB memory limit.\n` : err,
            memoryExceeded,
          });
        });
      });
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }
}
