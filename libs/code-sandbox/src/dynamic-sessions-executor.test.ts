import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamicSessionsExecutor } from './dynamic-sessions-executor.ts';

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: { properties: { codeInputType: string; executionType: string; code: string } };
}

describe('DynamicSessionsExecutor', () => {
  let server: Server;
  let endpoint = '';
  const seen: Seen[] = [];

  beforeAll(async () => {
    // A stand-in for the session pool's data plane that checks what the executor sends.
    server = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const url = new URL(req.url!, 'http://pool');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Seen['body'];
      seen.push({ method: req.method!, path: url.pathname, query: Object.fromEntries(url.searchParams), authorization: req.headers.authorization, body });
      if (req.headers.authorization !== 'Bearer token-1') {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid token"}');
        return;
      }
      const code = body.properties.code;
      const properties = code.includes('raise')
        ? { status: 'Failure', stdout: '', stderr: 'Traceback (most recent call last):\nValueError: bad', result: '', executionTimeInMilliseconds: 12 }
        : { status: 'Success', stdout: 'hello\n', stderr: '', result: 3, executionTimeInMilliseconds: 8 };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ $id: '1', properties }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}/subscriptions/s/resourceGroups/g/sessionPools/pool/`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('posts each block to code/execute in its session with a bearer token and maps the answer', async () => {
    const executor = new DynamicSessionsExecutor({ poolManagementEndpoint: endpoint, sessionId: 'workflow-42', tokenProvider: async () => 'token-1' });
    const result = await executor.execute([{ language: 'python', code: 'print("hello")\n1 + 2' }]);
    expect(result).toMatchObject({ exitCode: 0, stdout: 'hello\n3\n', stderr: '', timedOut: false, language: 'python' });
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      path: '/subscriptions/s/resourceGroups/g/sessionPools/pool/code/execute',
      query: { 'api-version': '2024-02-02-preview', identifier: 'workflow-42' },
      authorization: 'Bearer token-1',
      body: { properties: { codeInputType: 'inline', executionType: 'synchronous', code: 'print("hello")\n1 + 2' } },
    });
  });

  it('reports a failed execution as exit code 1 with its stderr', async () => {
    const executor = new DynamicSessionsExecutor({ poolManagementEndpoint: endpoint, sessionId: 's', tokenProvider: async () => 'token-1' });
    const result = await executor.execute([{ language: 'python', code: 'raise ValueError("bad")' }, { language: 'python', code: 'print(1)' }]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('ValueError: bad');
    expect(seen.filter((s) => s.query.identifier === 's')).toHaveLength(1);
  });

  it('throws a clear error when the pool refuses the token', async () => {
    const executor = new DynamicSessionsExecutor({ poolManagementEndpoint: endpoint, tokenProvider: async () => 'expired' });
    await expect(executor.execute([{ language: 'python', code: 'print(1)' }])).rejects.toThrow(/HTTP 401: \{"error":"invalid token"\}/);
  });

  it('does not send JavaScript to a Python code interpreter', async () => {
    const before = seen.length;
    const executor = new DynamicSessionsExecutor({ poolManagementEndpoint: endpoint, tokenProvider: async () => 'token-1' });
    const result = await executor.execute([{ language: 'js', code: 'console.log(1)' }]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Unsupported language "javascript"');
    expect(seen.length).toBe(before);
  });
});
