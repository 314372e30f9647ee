import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PythonSandboxExecutor } from './python-sandbox-executor.ts';

const executor = new PythonSandboxExecutor({ timeoutMs: 2000, memoryLimitMb: 256 });
const support = executor.checkSupport();
// .ci/run installs bubblewrap and sets SWITCHYARD_REQUIRE_SANDBOX=1, so CI always runs these.
if (!support.available && process.env.SWITCHYARD_REQUIRE_SANDBOX) throw new Error(`The Python sandbox is required for these tests: ${support.reason}`);

describe.skipIf(!support.available)('PythonSandboxExecutor', () => {
  let server: Server;
  let port = 0;
  let connections = 0;
  let outsideDir: string;

  beforeAll(async () => {
    server = createServer((socket) => {
      connections++;
      socket.on('error', () => undefined);
      socket.end('hello');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    outsideDir = mkdtempSync(join(tmpdir(), 'sandbox-outside-'));
    writeFileSync(join(outsideDir, 'secret.txt'), 'top secret');
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(outsideDir, { recursive: true, force: true });
  });

  it('runs code in its own working directory and reports stdout, stderr and the exit code', async () => {
    const result = await executor.execute([
      { language: 'python', code: 'import os, sys\nopen("note.txt", "w").write("x")\nprint("cwd", os.getcwd(), sorted(os.listdir(".")))\nprint("warn", file=sys.stderr)\nsys.exit(3)' },
    ]);
    expect(result).toMatchObject({ exitCode: 3, stdout: "cwd /work ['main.py', 'note.txt']\n", stderr: 'warn\n', timedOut: false, language: 'python' });
  });

  it('stops an endless loop at the wall-time limit', async () => {
    const started = Date.now();
    const result = await executor.execute([{ language: 'py', code: 'print("start", flush=True)\nwhile True:\n    pass' }]);
    expect(result).toMatchObject({ exitCode: 124, timedOut: true, stdout: 'start\n' });
    expect(result.stderr).toContain('2000 ms time limit');
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('stops a memory hog at the memory limit', async () => {
    const result = await executor.execute([{ language: 'python', code: 'hog = []\nwhile True:\n    hog.append(bytearray(10_000_000))' }]);
    expect(result.exitCode).not.toBe(0);
    expect(result.memoryExceeded).toBe(true);
    expect(result.stderr).toContain('256 MB memory limit');
  });

  it('cannot open a network connection: the listening server sees nothing', async () => {
    const result = await executor.execute([
      { language: 'python', code: `import socket\ntry:\n    socket.create_connection(("127.0.0.1", ${port}), timeout=2)\n    print("connected")\nexcept OSError as e:\n    print("blocked", type(e).__name__)` },
    ]);
    expect(result.stdout).toMatch(/^blocked /);
    expect(connections).toBe(0);
    // The same connection from outside the sandbox works, so the server was listening all along.
    const { connect } = await import('node:net');
    const client = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => client.on('connect', resolve).on('error', reject));
    client.destroy();
    await expect.poll(() => connections).toBe(1);
  });

  it('cannot read a file outside its working directory', async () => {
    const result = await executor.execute([{ language: 'python', code: `print(open(${JSON.stringify(join(outsideDir, 'secret.txt'))}).read())` }]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).not.toContain('top secret');
    expect(result.stderr).toContain('FileNotFoundError');
    const home = await executor.execute([{ language: 'python', code: 'import os\nprint(sorted(os.listdir("/")))' }]);
    expect(home.stdout).toBe("['bin', 'dev', 'lib', 'lib64', 'proc', 'tmp', 'usr', 'work']\n");
  });

  it('cannot write to the interpreter installation', async () => {
    const result = await executor.execute([{ language: 'python', code: 'open("/usr/evil.txt", "w").write("x")' }]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/Read-only file system|Permission denied/);
  });

  it('is stopped by the abort signal', async () => {
    const controller = new AbortController();
    const running = new PythonSandboxExecutor({ timeoutMs: 30_000 }).execute([{ language: 'python', code: 'import time\ntime.sleep(60)' }], { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    expect(await running).toMatchObject({ aborted: true, exitCode: 130 });
  });
});
