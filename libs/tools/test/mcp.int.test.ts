import { existsSync } from 'node:fs';
import { EventEmitter, getEventListeners, once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BadUserInputError } from '@switchyard/contracts';
import { McpClientPool, parseMcpServerConfig, ToolRegistry, type McpClientPoolOptions, type McpServerConfig, type ToolContext, type ToolSecrets } from '../src/index.ts';
import { startHttpMcpServer, type HttpMcpFixture } from './fixtures/mcp-http-server.ts';

const TOKEN = 'mcp-test-token-1';
const STDIO_SCRIPT = fileURLToPath(new URL('./fixtures/mcp-stdio-server.mjs', import.meta.url));
const policy = { stdioCommands: [process.execPath] };
// The fixtures listen on loopback, which tenants' MCP URLs may only reach when the operator exempts it.
const LOOPBACK = ['127.0.0.1'];

function secrets(values: Record<string, string>): ToolSecrets {
  return { get: async (name) => values[name] };
}
const tenantSecrets = secrets({ 'mcp.docs_token': TOKEN, 'mcp.stdio_key': 's3cret-value' });

function context(overrides: Partial<ToolContext> = {}): ToolContext {
  return { tenantId: 'acme', signal: new AbortController().signal, secrets: tenantSecrets, config: {}, ...overrides };
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/mcp`;
}

let http: HttpMcpFixture;
let docs: McpServerConfig;
let local: McpServerConfig;
const pools: McpClientPool[] = [];

function newPool(options: Partial<McpClientPoolOptions> = {}): McpClientPool {
  const pool = new McpClientPool({ ...policy, privateHostExemptions: LOOPBACK, ...options });
  pools.push(pool);
  return pool;
}

beforeAll(async () => {
  http = await startHttpMcpServer(TOKEN);
  docs = parseMcpServerConfig({ name: 'docs', transport: 'streamable-http', url: http.url, headers: { Authorization: 'Bearer ${secret:mcp.docs_token}' } }, policy);
  local = parseMcpServerConfig({ name: 'local', transport: 'stdio', command: process.execPath, args: [STDIO_SCRIPT], env: { FIXTURE_KEY: 'secret:mcp.stdio_key' } }, policy);
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});
afterAll(async () => {
  await http.close();
});

describe('MCP tools', () => {
  it('discovers the tools of an HTTP and a stdio server (every tools/list page) with names, descriptions and schemas', async () => {
    const { tools, problems } = await newPool().discover({ tenantId: 'acme', servers: [docs, local], secrets: tenantSecrets });
    expect(problems).toEqual([]);
    const names = tools.map((tool) => tool.name);
    // The stdio server pages two tools at a time: all five pages' tools are here.
    expect(names.slice(0, 4)).toEqual(['docs__add', 'docs__lookup_order', 'docs__snapshot', 'docs__wait_for_cancel']);
    expect(names).toContain('local__echo');
    expect(names).toContain('local__process_id');
    expect(names).toContain('local__env');
    expect(names.find((name) => name.startsWith('local__files_read_'))).toMatch(/^local__files_read_[0-9a-f]{8}$/);
    const long = names.find((name) => name.startsWith('local__summarize'));
    expect(long).toHaveLength(64);
    for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(tools).toHaveLength(9);

    const add = tools.find((tool) => tool.name === 'docs__add')!;
    expect(add.description).toBe('Add two numbers.');
    expect(add.source).toBe('mcp:docs');
    expect(add.parameters).toMatchObject({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] });
    expect(add.parameters).not.toHaveProperty('$schema');
    const echo = tools.find((tool) => tool.name === 'local__echo')!;
    expect(echo.source).toBe('mcp:local');
    expect(echo.parameters).toEqual({
      type: 'object',
      properties: { text: { type: 'string', minLength: 1 }, times: { type: 'integer', minimum: 1, maximum: 3, default: 1 } },
      required: ['text'],
      additionalProperties: false,
    });
    // They join a registry as they are (names unique and valid function names).
    expect(new ToolRegistry(tools).spec('docs__add').parameters).toEqual(add.parameters);
  });

  it('calls tools through the registry: text results, defaults from the schema, a secret in the environment, shortened names', async () => {
    const registry = new ToolRegistry((await newPool().discover({ tenantId: 'acme', servers: [docs, local], secrets: tenantSecrets })).tools);
    const added = await registry.call('docs__add', '{"a": 2, "b": 40}', context());
    expect(added).toMatchObject({ ok: true, observation: '2 + 40 = 42' });
    expect(added.record).toMatchObject({ tool: 'docs__add', source: 'mcp:docs', arguments: { a: 2, b: 40 }, ok: true });

    const echoed = await registry.call('local__echo', { text: 'hi' }, context());
    expect(echoed).toMatchObject({ ok: true, observation: 'hi' });
    expect(echoed.record.arguments).toEqual({ text: 'hi', times: 1 });
    expect((await registry.call('local__echo', { text: 'hi', times: 3 }, context())).observation).toBe('hi hi hi');

    expect((await registry.call('local__env', { name: 'FIXTURE_KEY' }, context())).observation).toBe('s3cret-value');
    // The server process does not inherit the service's environment.
    process.env['SWITCHYARD_TEST_LEAK'] = 'leaked';
    const leak = await newPool().discover({ tenantId: 'acme', servers: [local], secrets: tenantSecrets });
    expect(await new ToolRegistry(leak.tools).call('local__env', { name: 'SWITCHYARD_TEST_LEAK' }, context()).then((outcome) => outcome.observation)).toBe('(unset)');
    delete process.env['SWITCHYARD_TEST_LEAK'];

    const long = registry.names().find((name) => name.startsWith('local__summarize'))!;
    expect((await registry.call(long, {}, context())).observation).toBe('Revenue grew in every region.');
    const read = registry.names().find((name) => name.startsWith('local__files_read'))!;
    expect((await registry.call(read, { path: 'notes.txt' }, context())).observation).toBe('[resource: file:///fixture/notes.txt, text/plain, 2.0 KB]');
    expect((await registry.call('docs__snapshot', {}, context())).observation).toBe(
      'Sales are up.\n\n[image: image/png, 70 bytes]\n\n[resource link: file:///reports/q3.pdf "Q3 report", application/pdf, 47.1 KB]',
    );
  });

  it('refuses invalid arguments before the call reaches the server', async () => {
    const registry = new ToolRegistry((await newPool().discover({ tenantId: 'acme', servers: [docs, local], secrets: tenantSecrets })).tools);
    const callsBefore = http.log.calls.length;
    const wrongType = await registry.call('docs__add', { a: 'two', b: 2 }, context());
    expect(wrongType.ok).toBe(false);
    expect(wrongType.observation).toContain('invalid arguments for docs__add: a: must be number');
    const missing = await registry.call('docs__lookup_order', {}, context());
    expect(missing.observation).toContain("arguments: must have required property 'orderId'");
    const pattern = await registry.call('docs__lookup_order', { orderId: 'order one' }, context());
    expect(pattern.observation).toContain('orderId: must match pattern');
    const extra = await registry.call('local__echo', { text: 'x', loud: true }, context());
    expect(extra.observation).toContain('arguments: must NOT have additional properties ("loud")');
    const tooMany = await registry.call('local__echo', { text: 'x', times: 9 }, context());
    expect(tooMany.observation).toContain('times: must be <= 3');
    expect(http.log.calls.length).toBe(callsBefore);
  });

  it("turns an isError result into an observation with the server's text", async () => {
    const registry = new ToolRegistry((await newPool().discover({ tenantId: 'acme', servers: [docs], secrets: tenantSecrets })).tools);
    const outcome = await registry.call('docs__lookup_order', { orderId: 'ORD-9' }, context());
    expect(outcome).toMatchObject({ ok: false, observation: 'Error: docs__lookup_order: order ORD-9 does not exist' });
    expect(outcome.record).toMatchObject({ ok: false, source: 'mcp:docs', error: 'Error: docs__lookup_order: order ORD-9 does not exist' });
    expect(http.log.calls.at(-1)).toEqual({ tool: 'lookup_order', arguments: { orderId: 'ORD-9' } });
    expect(await registry.call('docs__lookup_order', { orderId: 'ORD-1' }, context())).toMatchObject({ ok: true, observation: 'ORD-1: 3 items, shipped' });
  });

  it("reports a server it cannot use while the other servers' tools still load", async () => {
    const down = parseMcpServerConfig({ name: 'down', transport: 'streamable-http', url: await closedPortUrl() }, policy);
    const wrongToken = parseMcpServerConfig({ name: 'wrong', transport: 'streamable-http', url: http.url, headers: { Authorization: 'Bearer not-the-token' } }, policy);
    const noSecret = parseMcpServerConfig({ name: 'nosecret', transport: 'streamable-http', url: http.url, headers: { Authorization: 'secret:mcp.missing' } }, policy);
    const missingCommand = parseMcpServerConfig({ name: 'gone', transport: 'stdio', command: '/nonexistent/mcp-server' }, { stdioCommands: ['/nonexistent/mcp-server'] });
    const pool = newPool({ stdioCommands: [process.execPath, '/nonexistent/mcp-server'] });
    const { tools, problems } = await pool.discover({ tenantId: 'acme', servers: [down, docs, wrongToken, noSecret, local, missingCommand], secrets: tenantSecrets });

    expect(new Set(tools.map((tool) => tool.source))).toEqual(new Set(['mcp:docs', 'mcp:local']));
    expect(tools).toHaveLength(9);
    const byServer = Object.fromEntries(problems.map((problem) => [problem.server, problem]));
    expect(Object.keys(byServer).sort()).toEqual(['down', 'gone', 'nosecret', 'wrong']);
    expect(byServer['down']).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/^MCP server "down" at http:\/\/127\.0\.0\.1:\d+\/mcp cannot be reached \(ECONNREFUSED\); check the URL/) });
    expect(byServer['wrong']).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('refused the credentials (HTTP 401); check its headers and the secrets they reference') });
    expect(byServer['nosecret']).toMatchObject({ code: 'BAD_USER_INPUT', message: 'MCP server "nosecret": the header Authorization references the secret "mcp.missing", which this tenant has not set; set it, or change the value.' });
    expect(byServer['gone']).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('the command "/nonexistent/mcp-server" was not found on this host') });
    // Failed connections are not kept; the working ones are.
    expect(pool.size).toBe(2);
  });

  it('does not connect to private or loopback addresses unless the operator exempted the host', async () => {
    const byName = parseMcpServerConfig({ ...docs, name: 'byname', url: http.url.replace('127.0.0.1', 'localhost') }, policy);
    const requestsBefore = http.log.sessionsOpened + http.log.rejectedRequests;
    const { tools, problems } = await newPool({ privateHostExemptions: [] }).discover({ tenantId: 'acme', servers: [docs, byName], secrets: tenantSecrets });
    expect(tools).toEqual([]);
    expect(problems).toEqual([
      { server: 'docs', code: 'BAD_USER_INPUT', message: expect.stringContaining('is refused: 127.0.0.1 is a loopback address, which MCP servers of tenants may not use; use a public host, or ask the operator to exempt this host.') },
      { server: 'byname', code: 'BAD_USER_INPUT', message: expect.stringMatching(/is refused: localhost resolves to (127\.0\.0\.1|::1), which is a loopback address/) },
    ]);
    expect(http.log.sessionsOpened + http.log.rejectedRequests).toBe(requestsBefore);
    // Exempting the name lets it through.
    expect((await newPool({ privateHostExemptions: ['localhost'] }).discover({ tenantId: 'acme', servers: [byName], secrets: tenantSecrets })).tools).toHaveLength(4);
  });

  it('runs a stdio command only when it is on the operator allowlist', async () => {
    const marker = join(tmpdir(), `switchyard-mcp-refused-${process.pid}-${Date.now()}`);
    const input = { name: 'shell', transport: 'stdio', command: '/usr/bin/touch', args: [marker] };
    expect(() => parseMcpServerConfig(input, policy)).toThrow(BadUserInputError);
    expect(() => parseMcpServerConfig(input, policy)).toThrow('MCP server "shell": the command "/usr/bin/touch" is not on the operator\'s allowlist for stdio servers; use one of: ' + process.execPath);
    expect(() => parseMcpServerConfig(input, { stdioCommands: [] })).toThrow('stdio servers are disabled on this platform');
    expect(() => parseMcpServerConfig({ ...input, command: process.execPath, env: { NODE_OPTIONS: '--require /tmp/x.js' } }, policy)).toThrow('env.NODE_OPTIONS: would change which program runs');

    // A config stored while the command was allowed is refused when the allowlist no longer has it.
    const stored = parseMcpServerConfig(input, { stdioCommands: ['/usr/bin/touch'] });
    const { tools, problems } = await newPool().discover({ tenantId: 'acme', servers: [stored, docs], secrets: tenantSecrets });
    expect(problems).toEqual([{ server: 'shell', code: 'BAD_USER_INPUT', message: expect.stringContaining('is not on the operator\'s allowlist') }]);
    expect(tools.every((tool) => tool.source === 'mcp:docs')).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });

  it('cancels a running call when the signal aborts, and the server sees the cancellation', async () => {
    const registry = new ToolRegistry((await newPool().discover({ tenantId: 'acme', servers: [docs], secrets: tenantSecrets })).tools);
    const controller = new AbortController();
    const started = once(http.events, 'call-started');
    const cancelled = once(http.events, 'call-cancelled');
    const call = registry.call('docs__wait_for_cancel', {}, context({ signal: controller.signal }));
    await started;
    controller.abort(new Error('workflow cancelled'));
    await expect(call).rejects.toThrow('workflow cancelled');
    await cancelled;
  });

  it("stops a call at the server's timeout and tells the agent it may retry", async () => {
    const slow = parseMcpServerConfig({ ...docs, timeoutMs: 1_000 }, policy);
    const registry = new ToolRegistry((await newPool().discover({ tenantId: 'acme', servers: [slow], secrets: tenantSecrets })).tools);
    const cancelled = once(http.events, 'call-cancelled');
    const outcome = await registry.call('docs__wait_for_cancel', {}, context());
    expect(outcome).toMatchObject({ ok: false, observation: 'Error: docs__wait_for_cancel: the MCP server "docs" did not answer within 1000 ms' });
    await cancelled;
  });

  it('reuses one connection per tenant and server across discoveries, concurrent callers and calls', async () => {
    const pool = newPool();
    const sessionsBefore = http.log.sessionsOpened;
    const [first, second] = await Promise.all([
      pool.discover({ tenantId: 'acme', servers: [docs, local], secrets: tenantSecrets }),
      pool.discover({ tenantId: 'acme', servers: [docs, local], secrets: tenantSecrets }),
    ]);
    const registry = new ToolRegistry(first.tools);
    const pids = new Set<string>();
    const run = new AbortController();
    for (let i = 0; i < 12; i++) {
      expect((await registry.call('docs__add', { a: i, b: 1 }, context({ signal: run.signal }))).ok).toBe(true);
      pids.add((await registry.call('local__process_id', {}, context({ signal: run.signal }))).observation);
    }
    // A run's signal serves many calls; none of them leaves a listener behind.
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    const again = await pool.discover({ tenantId: 'acme', servers: [docs, local], secrets: tenantSecrets });
    expect(again.tools.map((tool) => tool.name)).toEqual(first.tools.map((tool) => tool.name));
    expect((await new ToolRegistry(second.tools).call('docs__add', { a: 1, b: 1 }, context())).observation).toBe('1 + 1 = 2');
    expect(http.log.sessionsOpened - sessionsBefore).toBe(1);
    expect(pids.size).toBe(1);
    expect(pool.size).toBe(2);
  });

  it('closes an idle connection (the HTTP session ended, the process stopped) and reconnects on the next call', async () => {
    const closed: string[] = [];
    const closes = new EventEmitter();
    const pool = newPool({ idleMs: 20, onConnectionClosed: (event) => closes.emit('closed', closed.push(`${event.tenantId}/${event.server}/${event.reason}`)) });
    const sessionClosed = once(http.events, 'session-closed');
    const registry = new ToolRegistry((await pool.discover({ tenantId: 'acme', servers: [docs, local], secrets: tenantSecrets })).tools);
    const pid = (await registry.call('local__process_id', {}, context())).observation;
    // The process that answered is stopped once its connection idles after this call.
    const mark = closed.length;
    while (!closed.slice(mark).includes('acme/local/idle') || !closed.includes('acme/docs/idle')) await once(closes, 'closed');
    await sessionClosed;
    expect(() => process.kill(Number(pid), 0)).toThrow();
    expect(pool.size).toBe(0);

    const sessionsBefore = http.log.sessionsOpened;
    expect((await registry.call('docs__add', { a: 5, b: 5 }, context())).observation).toBe('5 + 5 = 10');
    expect(http.log.sessionsOpened - sessionsBefore).toBe(1);
    const newPid = (await registry.call('local__process_id', {}, context())).observation;
    expect(newPid).not.toBe(pid);
  });

  it("keeps tenants apart: separate sessions, and a tenant's tools refuse another tenant's calls", async () => {
    const pool = newPool();
    const sessionsBefore = http.log.sessionsOpened;
    const acme = await pool.discover({ tenantId: 'acme', servers: [docs], secrets: tenantSecrets });
    const globex = await pool.discover({ tenantId: 'globex', servers: [docs], secrets: secrets({ 'mcp.docs_token': TOKEN }) });
    expect(http.log.sessionsOpened - sessionsBefore).toBe(2);
    expect(pool.size).toBe(2);
    const outcome = await new ToolRegistry(acme.tools).call('docs__add', { a: 1, b: 2 }, context({ tenantId: 'globex' }));
    expect(outcome).toMatchObject({ ok: false, observation: 'Error: docs__add failed: the MCP tool docs__add belongs to another tenant' });
    expect((await new ToolRegistry(globex.tools).call('docs__add', { a: 1, b: 2 }, context({ tenantId: 'globex' }))).observation).toBe('1 + 2 = 3');
  });

  it('opens a new session when a referenced secret changes (a rotated token)', async () => {
    const pool = newPool();
    const sessionsBefore = http.log.sessionsOpened;
    const { tools } = await pool.discover({ tenantId: 'acme', servers: [docs], secrets: tenantSecrets });
    const registry = new ToolRegistry(tools);
    const rotated = secrets({ 'mcp.docs_token': 'rotated-and-wrong' });
    const outcome = await registry.call('docs__add', { a: 1, b: 2 }, context({ secrets: rotated }));
    expect(outcome).toMatchObject({ ok: false, observation: expect.stringContaining('refused the credentials (HTTP 401)') });
    expect((await registry.call('docs__add', { a: 1, b: 2 }, context())).ok).toBe(true);
    expect(http.log.sessionsOpened - sessionsBefore).toBe(1);
  });

  it('opens a new session and sends the call again when the HTTP server has forgotten the session', async () => {
    const closed: string[] = [];
    const closes = new EventEmitter();
    const pool = newPool({ onConnectionClosed: (event) => closes.emit('closed', closed.push(event.reason)) });
    const registry = new ToolRegistry((await pool.discover({ tenantId: 'acme', servers: [docs], secrets: tenantSecrets })).tools);
    const sessionsBefore = http.log.sessionsOpened;
    const callsBefore = http.log.calls.length;
    await http.dropSessions();
    expect(await registry.call('docs__add', { a: 20, b: 22 }, context())).toMatchObject({ ok: true, observation: '20 + 22 = 42' });
    expect(http.log.sessionsOpened - sessionsBefore).toBe(1);
    expect(http.log.calls.length - callsBefore).toBe(1);
    while (closed.length === 0) await once(closes, 'closed');
    expect(closed).toEqual(['session-lost']);
  });

  it('reconnects after a stdio server process dies', async () => {
    const closed: string[] = [];
    const closes = new EventEmitter();
    const pool = newPool({ onConnectionClosed: (event) => closes.emit('closed', closed.push(event.reason)) });
    const registry = new ToolRegistry((await pool.discover({ tenantId: 'acme', servers: [local], secrets: tenantSecrets })).tools);
    const pid = Number((await registry.call('local__process_id', {}, context())).observation);
    process.kill(pid, 'SIGKILL');
    while (closed.length === 0) await once(closes, 'closed');
    expect(closed).toEqual(['dropped']);
    const outcome = await registry.call('local__process_id', {}, context());
    expect(outcome.ok).toBe(true);
    expect(Number(outcome.observation)).not.toBe(pid);
  });
});
