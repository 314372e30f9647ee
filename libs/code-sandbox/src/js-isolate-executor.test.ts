import { describe, expect, it } from 'vitest';
import { IsolateJavaScriptExecutor } from './js-isolate-executor.ts';

describe('IsolateJavaScriptExecutor', () => {
  const executor = new IsolateJavaScriptExecutor({ timeoutMs: 1000, memoryLimitMb: 32 });

  it('runs code and captures console output', async () => {
    const result = await executor.execute([{ language: 'js', code: 'const n = [1, 2, 3];\nconsole.log("sum:", n.reduce((a, b) => a + b, 0));\nconsole.error({ ok: true });' }]);
    expect(result).toMatchObject({ exitCode: 0, stdout: 'sum: 6\n', stderr: '{"ok":true}\n', timedOut: false, language: 'javascript' });
  });

  it('reports a thrown error as exit code 1 with the error in stderr', async () => {
    const result = await executor.execute([{ language: 'javascript', code: 'console.log("before"); throw new TypeError("broken")' }]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('before\n');
    expect(result.stderr).toContain('TypeError: broken');
  });

  it('stops an endless loop at the time limit', async () => {
    const started = Date.now();
    const result = await executor.execute([{ language: 'javascript', code: 'console.log("start"); while (true) {}' }]);
    expect(result).toMatchObject({ exitCode: 124, timedOut: true, stdout: 'start\n' });
    expect(result.stderr).toContain('time limit');
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('stops a memory hog at the heap limit', async () => {
    const result = await executor.execute([{ language: 'javascript', code: 'const hog = []; while (true) hog.push(new Array(100000).fill(7));' }]);
    expect(result).toMatchObject({ exitCode: 137, memoryExceeded: true, timedOut: false });
    expect(result.stderr).toContain('32 MB memory limit');
  });

  it('offers no require, process, fetch or timers inside the isolate', async () => {
    const result = await executor.execute([
      { language: 'javascript', code: 'console.log([typeof require, typeof process, typeof fetch, typeof setTimeout, typeof import.meta].join(","))' },
    ]);
    // import.meta is a syntax error in a script: the isolate is not a module with a loader either.
    expect(result.exitCode).toBe(1);
    const globals = await executor.execute([{ language: 'javascript', code: 'console.log([typeof require, typeof process, typeof fetch, typeof setTimeout].join(","))' }]);
    expect(globals.stdout).toBe('undefined,undefined,undefined,undefined\n');
    const escape = await executor.execute([{ language: 'javascript', code: 'this.constructor.constructor("return process")().exit(3)' }]);
    expect(escape.exitCode).toBe(1);
    expect(escape.stderr).toMatch(/process is not defined/);
  });

  it('stops at the first failing block', async () => {
    const result = await executor.execute([
      { language: 'js', code: 'console.log("one")' },
      { language: 'js', code: 'throw new Error("two")' },
      { language: 'js', code: 'console.log("three")' },
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('one\n');
  });

  it('is stopped by the abort signal', async () => {
    const controller = new AbortController();
    const slow = new IsolateJavaScriptExecutor({ timeoutMs: 30_000 });
    const running = slow.execute([{ language: 'js', code: 'while (true) {}' }], { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const result = await running;
    expect(result).toMatchObject({ aborted: true, exitCode: 130 });
  });

  it('refuses languages it does not run', async () => {
    const result = await executor.execute([{ language: 'ruby', code: 'puts 1' }]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Unsupported language "ruby"');
  });
});
