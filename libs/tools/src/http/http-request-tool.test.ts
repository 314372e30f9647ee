import { afterEach, describe, expect, it } from 'vitest';
import { ToolRegistry } from '../registry.ts';
import { httpRequestTool } from './http-request-tool.ts';
import { OutboundHttpClient } from './outbound-http-client.ts';
import { fakeDns, startLoopbackServer, toolContext, type LoopbackServer } from './testing/loopback-server.ts';

let api: LoopbackServer | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const dns = () => fakeDns({ 'api.example.test': ['127.0.0.1'], 'private.example.test': ['10.0.0.5'] });
function registry(options: ConstructorParameters<typeof OutboundHttpClient>[0] = {}) {
  return new ToolRegistry([httpRequestTool(new OutboundHttpClient({ resolve: dns(), privateHostExemptions: ['api.example.test'], ...options }))]);
}
const allowed = toolContext({ config: { allowedHosts: ['*.example.test'] } });

describe('http_request', () => {
  it('returns the status, the useful headers and the body', async () => {
    api = await startLoopbackServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'sid=secret', etag: '"v1"', 'x-internal': 'no' });
      res.end('{"temperature":21}');
    });
    const outcome = await registry().call('http_request', { url: `http://api.example.test:${api.port}/weather?city=Berlin` }, allowed);
    expect(outcome.ok).toBe(true);
    const result = outcome.result as { status: number; headers: Record<string, string>; body: string };
    expect(result).toMatchObject({ status: 200, headers: { 'content-type': 'application/json', etag: '"v1"' }, body: '{"temperature":21}' });
    expect(Object.keys(result.headers).sort()).toEqual(['content-type', 'date', 'etag']);
    expect(api.requests[0]).toMatchObject({ method: 'GET', path: '/weather?city=Berlin' });
  });

  it('sends a JSON object body as application/json, and a text body as given', async () => {
    api = await startLoopbackServer((req, res) => res.writeHead(201, { 'content-type': 'text/plain' }).end(`${req.headers['content-type']} ${req.body}`));
    const url = `http://api.example.test:${api.port}/items`;
    const json = await registry().call('http_request', { method: 'POST', url, body: { name: 'widget', tags: ['a'] } }, allowed);
    expect(json.result).toMatchObject({ status: 201, body: 'application/json {"name":"widget","tags":["a"]}' });
    const text = await registry().call('http_request', { method: 'PUT', url, headers: { 'Content-Type': 'text/csv' }, body: 'a,b\n1,2' }, allowed);
    expect(text.result).toMatchObject({ body: 'text/csv a,b\n1,2' });
  });

  it("tells the model why a host is refused", async () => {
    const offList = await registry().call('http_request', { url: 'https://evil.test/' }, allowed);
    expect(offList.ok).toBe(false);
    expect(offList.observation).toBe("Error: http_request: the host evil.test is not on this tenant's allowlist; an admin can add it in the tool settings");
    const unconfigured = await registry().call('http_request', { url: 'https://api.example.test/' }, toolContext());
    expect(unconfigured.observation).toContain('(the allowlist is empty)');
    const privateHost = await registry().call('http_request', { url: 'https://private.example.test/' }, allowed);
    expect(privateHost.observation).toBe('Error: http_request: private.example.test resolves to a private address 10.0.0.5; refused (tools may only reach public addresses)');
  });

  it('cuts a long body and says so', async () => {
    api = await startLoopbackServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>' + 'a'.repeat(5000) + '</p>'));
    const outcome = await registry({ maxResponseBytes: 1000 }).call('http_request', { url: `http://api.example.test:${api.port}/` }, allowed);
    const result = outcome.result as { body: string; note: string };
    expect(result.body).toHaveLength(1000);
    expect(result.note).toContain('the body was cut at 1000 bytes');
  });

  it('does not show a binary body, and a HEAD request has none', async () => {
    api = await startLoopbackServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47])));
    const url = `http://api.example.test:${api.port}/logo.png`;
    const binary = await registry().call('http_request', { url }, allowed);
    expect(binary.result).toMatchObject({ body: '', note: 'the body is binary (image/png, 4 bytes) and is not shown' });
    const head = await registry().call('http_request', { method: 'HEAD', url }, allowed);
    expect(head.result).toMatchObject({ status: 200, body: '' });
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'HEAD']);
  });

  it('refuses headers the client owns, broken header values and a body on GET', async () => {
    const url = 'https://api.example.test/';
    expect((await registry().call('http_request', { url, headers: { Host: 'internal' } }, allowed)).observation).toContain('the header Host is set by the client');
    expect((await registry().call('http_request', { url, headers: { 'X-A': 'a\r\nX-B: b' } }, allowed)).observation).toContain('contains a line break');
    expect((await registry().call('http_request', { url, headers: { 'bad name': 'x' } }, allowed)).observation).toContain('not a valid header name');
    expect((await registry().call('http_request', { url, body: 'x' }, allowed)).observation).toContain('a GET request has no body');
    expect((await registry().call('http_request', { method: 'TRACE', url }, allowed)).observation).toContain('invalid arguments for http_request');
  });

  it('propagates a cancelled workflow instead of reporting it to the model', async () => {
    api = await startLoopbackServer(() => undefined);
    const controller = new AbortController();
    const pending = registry().call('http_request', { url: `http://api.example.test:${api.port}/` }, toolContext({ config: { allowedHosts: ['api.example.test'] }, signal: controller.signal }));
    await api.nextRequest();
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
  });
});
