import http from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ServiceEndpoints, serviceUrlsSetting } from './service-endpoints.ts';

const servers: Array<http.Server | Server> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

async function listen<T extends http.Server | Server>(server: T): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

/** A replica that answers with its name and counts what it was asked. */
async function replica(name: string): Promise<{ url: string; hits: string[] }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.end(name);
  });
  server.keepAliveTimeout = 1;
  return { url: await listen(server), hits };
}

/** An address where nothing listens. */
async function closedAddress(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  servers.splice(servers.indexOf(server), 1);
  return url;
}

/** A peer that accepts the connection, reads the request, and dies without answering. */
async function dyingReplica(): Promise<{ url: string; seen: () => number }> {
  let seen = 0;
  const server = createServer((socket) => {
    socket.once('data', () => {
      seen += 1;
      socket.destroy();
    });
  });
  return { url: await listen(server), seen: () => seen };
}

describe('ServiceEndpoints', () => {
  it('spreads requests over the replicas in turn, each on the given path', async () => {
    const a = await replica('a');
    const b = await replica('b');
    const endpoints = new ServiceEndpoints(`${a.url},${b.url}`);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await (await endpoints.fetch('/internal/usage', { method: 'POST', body: '{}' })).text());
    expect(answers).toEqual(['a', 'b', 'a', 'b']);
    expect(a.hits).toEqual(['POST /internal/usage', 'POST /internal/usage']);
    expect(await (await endpoints.fetch('')).text()).toBe('a');
    expect(a.hits.at(-1)).toBe('GET /graphql');
  });

  it('sends a request that could not connect to the next replica, and passes over the dead one for a while', async () => {
    const dead = await closedAddress();
    const live = await replica('live');
    const endpoints = new ServiceEndpoints([dead, live.url], { cooldownMs: 60_000 });
    for (let i = 0; i < 3; i++) expect(await (await endpoints.fetch('/x', { method: 'POST', body: 'not idempotent' })).text()).toBe('live');
    expect(live.hits).toHaveLength(3);
    expect(endpoints.pick()).toBe(live.url);
  });

  it('repeats a request whose connection was lost mid-way elsewhere only when it is idempotent', async () => {
    const dying = await dyingReplica();
    const live = await replica('live');
    const endpoints = new ServiceEndpoints([dying.url, live.url], { cooldownMs: 0 });
    await expect(endpoints.fetch('/engine/runs', { method: 'POST', body: '{}' })).rejects.toThrow();
    expect(dying.seen()).toBe(1);
    expect(live.hits).toHaveLength(0);

    // A fresh client starts at the dying replica again.
    const retried = await new ServiceEndpoints([dying.url, live.url], { cooldownMs: 0 }).fetch('/internal/usage', { method: 'POST', body: '{}', idempotent: true });
    expect(await retried.text()).toBe('live');
    expect(dying.seen()).toBe(2);
  });

  it('fails with the last error when no replica can be reached', async () => {
    const endpoints = new ServiceEndpoints([await closedAddress(), await closedAddress()]);
    await expect(endpoints.fetch('/x')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('answers with status, headers and a body read whole, so an unread answer still frees its connection', async () => {
    const connections = new Set<unknown>();
    const server = http.createServer((req, res) => {
      connections.add(req.socket);
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.end(JSON.stringify({ path: req.url, method: req.method, header: req.headers['x-test'] ?? null }));
    });
    const url = await listen(server);
    const endpoints = new ServiceEndpoints(url);
    const answer = await endpoints.fetch('/json', { method: 'post', headers: new Headers({ 'x-test': 'from Headers' }), body: '{}' });
    expect(answer).toMatchObject({ ok: true, status: 200, statusText: 'OK', url: `${new URL(url).origin}/json` });
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(await answer.json()).toEqual({ path: '/json', method: 'POST', header: 'from Headers' });
    expect(answer.bodyUsed).toBe(true);
    // Fifty refusals nobody reads: each connection is back in the pool at once, so the same few serve them all.
    for (let i = 0; i < 50; i++) {
      const refused = await endpoints.fetch('/missing', { headers: [['x-test', String(i)]] });
      expect(refused).toMatchObject({ ok: false, status: 404, statusText: 'Not Found' });
    }
    expect(connections.size).toBeLessThanOrEqual(2);
    expect(await (await endpoints.fetch('/missing')).text()).toContain('"path":"/missing"');
  });

  it('hands a streamed answer over as it arrives, and gives up with the signal\'s reason', async () => {
    let finish: (() => void) | undefined;
    const server = http.createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
      res.write('{"n":1}\n');
      finish = () => res.end('{"n":2}\n');
    });
    const url = await listen(server);
    const endpoints = new ServiceEndpoints(url);
    const streamed = await endpoints.fetch('/lines', { method: 'POST', body: '{}', stream: true });
    const chunks: string[] = [];
    for await (const chunk of streamed.nodeBody) {
      chunks.push(String(chunk));
      finish?.();
    }
    expect(chunks.join('')).toBe('{"n":1}\n{"n":2}\n');
    await expect(endpoints.fetch('/slow', { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});

describe('serviceUrlsSetting', () => {
  const schema = z.object({ PEER_URL: serviceUrlsSetting('http://127.0.0.1:4001/graphql'), OTHER_URL: serviceUrlsSetting().optional() });

  it('parses one URL or a comma-separated list, and parses the default too', () => {
    expect(schema.parse({})).toEqual({ PEER_URL: ['http://127.0.0.1:4001/graphql'] });
    expect(schema.parse({ PEER_URL: 'http://a:1/graphql, http://b:1/graphql', OTHER_URL: 'https://c/graphql' })).toEqual({
      PEER_URL: ['http://a:1/graphql', 'http://b:1/graphql'],
      OTHER_URL: ['https://c/graphql'],
    });
  });

  it('names every address that is not an http(s) URL', () => {
    const result = schema.safeParse({ PEER_URL: 'http://a:1/graphql,tenants:4001,ftp://x/' });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((issue) => issue.message);
    expect(messages).toEqual([expect.stringContaining('"tenants:4001"'), expect.stringContaining('"ftp://x/"')]);
  });
});
