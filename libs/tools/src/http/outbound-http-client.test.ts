import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyAddress } from './address-policy.ts';
import { hostMatches, parseHostList } from './host-patterns.ts';
import { OutboundHttpClient, OutboundHttpError, type OutboundRequest } from './outbound-http-client.ts';
import { fakeDns, startLoopbackServer, type LoopbackServer } from './testing/loopback-server.ts';

const servers: LoopbackServer[] = [];
async function server(handler: Parameters<typeof startLoopbackServer>[0]): Promise<LoopbackServer> {
  const started = await startLoopbackServer(handler);
  servers.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function get(url: string, extra: Partial<OutboundRequest> = {}): OutboundRequest {
  return { method: 'GET', url, allowedHosts: [], signal: new AbortController().signal, ...extra };
}

async function refusal(promise: Promise<unknown>): Promise<OutboundHttpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundHttpError);
  return error as OutboundHttpError;
}

describe('classifyAddress', () => {
  it.each([
    ['10.0.0.5', 'private'],
    ['172.16.3.4', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fd00::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.5', 'private'],
    ['64:ff9b::a00:5', 'NAT64'],
    ['2002:a00:5::1', '6to4'],
    ['::7f00:1', 'non-global IPv6'],
  ])('refuses %s (%s)', (address, label) => {
    const verdict = classifyAddress(address);
    expect(verdict.public).toBe(false);
    expect(!verdict.public && verdict.range).toContain(label);
  });

  it.each(['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('accepts the public address %s', (address) => {
    expect(classifyAddress(address).public).toBe(true);
  });
});

describe('host patterns', () => {
  it('matches exact names and subdomain wildcards, never the apex or a look-alike', () => {
    expect(hostMatches('api.example.com', ['api.example.com'])).toBe(true);
    expect(hostMatches('API.Example.COM.', ['api.example.com'])).toBe(true);
    expect(hostMatches('a.example.com', ['*.example.com'])).toBe(true);
    expect(hostMatches('a.b.example.com', ['*.example.com'])).toBe(true);
    expect(hostMatches('example.com', ['*.example.com'])).toBe(false);
    expect(hostMatches('evilexample.com', ['*.example.com'])).toBe(false);
    expect(hostMatches('example.com.evil.net', ['*.example.com', 'example.com'])).toBe(false);
    expect(hostMatches('other.com', [])).toBe(false);
  });

  it('reads the operator list from SWITCHYARD_TOOLS_PRIVATE_HOSTS text', () => {
    expect(parseHostList(' jira.corp.local, 127.0.0.1\n*.intra.example ')).toEqual(['jira.corp.local', '127.0.0.1', '*.intra.example']);
    expect(parseHostList(undefined)).toEqual([]);
  });
});

describe('OutboundHttpClient: which hosts', () => {
  it('refuses a host that is not on the allowlist before resolving or connecting', async () => {
    const dns = fakeDns({ 'api.other.test': ['8.8.8.8'] });
    const client = new OutboundHttpClient({ resolve: dns });
    const error = await refusal(client.send(get('https://api.other.test/x', { allowedHosts: ['api.example.test'] })));
    expect(error.code).toBe('HOST_NOT_ALLOWED');
    expect(error.message).toBe("the host api.other.test is not on this tenant's allowlist; an admin can add it in the tool settings");
    expect(dns.calls).toEqual([]);

    const empty = await refusal(client.send(get('https://api.other.test/x')));
    expect(empty.message).toContain('(the allowlist is empty)');
  });

  it('lets a wildcard entry reach a subdomain', async () => {
    const api = await server((_req, res) => res.end('hello'));
    const client = new OutboundHttpClient({ resolve: fakeDns({ 'eu.api.example.test': ['127.0.0.1'] }), privateHostExemptions: ['eu.api.example.test'] });
    const response = await client.send(get(`http://eu.api.example.test:${api.port}/hi`, { allowedHosts: ['*.example.test'] }));
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('hello');
    expect(api.requests[0]!.headers.host).toBe(`eu.api.example.test:${api.port}`);
  });

  it.each(['10.0.0.5', '127.0.0.1', '169.254.169.254', '::1', 'fd00::1', '::ffff:127.0.0.1', '100.64.1.2', '0.0.0.0'])(
    'refuses a public-looking name that resolves to %s',
    async (address) => {
      const client = new OutboundHttpClient({ resolve: fakeDns({ 'data.example.test': [address] }) });
      const error = await refusal(client.send(get('https://data.example.test/', { allowedHosts: ['data.example.test'] })));
      expect(error.code).toBe('PRIVATE_ADDRESS');
      expect(error.message).toMatch(/^data\.example\.test resolves to a .* address .*; refused/);
      expect(error.message).toContain(classifyAddress(address).address);
    },
  );

  it('refuses when any one of the resolved addresses is private', async () => {
    const client = new OutboundHttpClient({ resolve: fakeDns({ 'mixed.example.test': ['8.8.8.8', '10.0.0.5'] }) });
    const error = await refusal(client.send(get('https://mixed.example.test/', { allowedHosts: ['mixed.example.test'] })));
    expect(error.message).toBe('mixed.example.test resolves to a private address 10.0.0.5; refused (tools may only reach public addresses)');
  });

  it('refuses private IP literals, however the URL spells them', async () => {
    const api = await server((_req, res) => res.end('should not be reached'));
    const client = new OutboundHttpClient();
    for (const url of [api.url('/'), `http://0x7f000001:${api.port}/`, `http://[::1]:${api.port}/`, 'http://169.254.169.254/latest/meta-data/']) {
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      const error = await refusal(client.send(get(url, { allowedHosts: [host] })));
      expect(error.code).toBe('PRIVATE_ADDRESS');
      expect(error.message).toContain('is a ');
    }
    expect(api.requests).toHaveLength(0);
  });

  it('lets an operator-exempted host reach a private address, and nothing else', async () => {
    const api = await server((_req, res) => res.end('on premises'));
    const client = new OutboundHttpClient({ privateHostExemptions: ['127.0.0.1'] });
    const response = await client.send(get(api.url('/'), { allowedHosts: ['127.0.0.1'] }));
    expect(response.body.toString()).toBe('on premises');
    const other = await refusal(client.send(get(`http://[::1]:${api.port}/`, { allowedHosts: ['::1'] })));
    expect(other.code).toBe('PRIVATE_ADDRESS');
  });

  it('connects to the address it checked even if DNS answers differently afterwards (no rebinding)', async () => {
    const api = await server((_req, res) => res.end('pinned'));
    // First answer loopback (exempted host), every later answer an unroutable address.
    const dns = fakeDns({ 'rebind.example.test': [['127.0.0.1'], ['10.255.255.1']] });
    const client = new OutboundHttpClient({ resolve: dns, privateHostExemptions: ['rebind.example.test'] });
    const response = await client.send(get(`http://rebind.example.test:${api.port}/`, { allowedHosts: ['rebind.example.test'] }));
    expect(response.body.toString()).toBe('pinned');
    expect(dns.calls).toEqual(['rebind.example.test']);
  });

  it('skips the allowlist for a host from the tenant configuration but still checks its addresses', async () => {
    const api = await server((_req, res) => res.end('configured'));
    const client = new OutboundHttpClient({ resolve: fakeDns({ 'jira.corp.test': ['127.0.0.1'], 'evil.test': ['10.1.1.1'] }), privateHostExemptions: ['jira.corp.test'] });
    const response = await client.send(get(`http://jira.corp.test:${api.port}/`, { hostFromTenantConfig: true }));
    expect(response.body.toString()).toBe('configured');
    const error = await refusal(client.send(get('https://evil.test/', { hostFromTenantConfig: true })));
    expect(error.code).toBe('PRIVATE_ADDRESS');
  });

  it('keeps trusting the configured host across its own redirects, not a redirect elsewhere', async () => {
    const api = await server((req, res) => {
      if (req.path === '/old') return void res.writeHead(301, { location: '/new' }).end();
      if (req.path === '/away') return void res.writeHead(302, { location: 'https://attacker.example/collect' }).end();
      res.end('moved here');
    });
    const client = new OutboundHttpClient({ resolve: fakeDns({ 'jira.corp.test': ['127.0.0.1'] }), privateHostExemptions: ['jira.corp.test'] });
    const moved = await client.send(get(`http://jira.corp.test:${api.port}/old`, { hostFromTenantConfig: true }));
    expect(moved.body.toString()).toBe('moved here');
    const away = await refusal(client.send(get(`http://jira.corp.test:${api.port}/away`, { hostFromTenantConfig: true })));
    expect(away.message).toBe("the host attacker.example is not on this tenant's allowlist (the allowlist is empty); an admin can add it in the tool settings");
  });

  it('refuses other schemes, credentials in the URL, and credentials over plain http', async () => {
    const dns = fakeDns({ 'api.example.test': ['8.8.8.8'] });
    const client = new OutboundHttpClient({ resolve: dns });
    expect((await refusal(client.send(get('file:///etc/passwd', { allowedHosts: [''] })))).code).toBe('INVALID_URL');
    expect((await refusal(client.send(get('ftp://api.example.test/', { allowedHosts: ['api.example.test'] })))).message).toContain('only http and https');
    expect((await refusal(client.send(get('https://u:p@api.example.test/', { allowedHosts: ['api.example.test'] })))).message).toContain('user name or password');
    expect((await refusal(client.send(get('not a url')))).code).toBe('INVALID_URL');
    const insecure = await refusal(client.send(get('http://api.example.test/', { hostFromTenantConfig: true, carriesCredentials: true })));
    expect(insecure.code).toBe('INSECURE_TRANSPORT');
    expect(dns.calls).toEqual([]);
  });

  it('reports a name that does not resolve', async () => {
    const client = new OutboundHttpClient({ resolve: fakeDns({}) });
    const error = await refusal(client.send(get('https://nowhere.example.test/', { allowedHosts: ['nowhere.example.test'] })));
    expect(error.code).toBe('DNS_FAILED');
    expect(error.message).toBe('the host nowhere.example.test could not be resolved (ENOTFOUND); check the host name');
  });
});

describe('OutboundHttpClient: redirects', () => {
  const exemptDns = () => fakeDns({ 'a.example.test': ['127.0.0.1'], 'b.example.test': ['127.0.0.1'], 'internal.example.test': ['10.0.0.5'] });
  const options = () => ({ resolve: exemptDns(), privateHostExemptions: ['a.example.test', 'b.example.test'] });
  const allowed = ['a.example.test', 'b.example.test', 'internal.example.test', '169.254.169.254'];

  it('refuses a redirect to a private address', async () => {
    const api = await server((_req, res) => {
      res.writeHead(302, { location: 'http://internal.example.test/admin' }).end();
    });
    const error = await refusal(new OutboundHttpClient(options()).send(get(`http://a.example.test:${api.port}/`, { allowedHosts: allowed })));
    expect(error.message).toBe('internal.example.test resolves to a private address 10.0.0.5; refused (tools may only reach public addresses)');
  });

  it('refuses a redirect to the metadata address and to a host off the allowlist', async () => {
    const api = await server((req, res) => {
      res.writeHead(301, { location: req.path === '/meta' ? 'http://169.254.169.254/latest/meta-data/' : 'https://elsewhere.test/' }).end();
    });
    const client = new OutboundHttpClient(options());
    expect((await refusal(client.send(get(`http://a.example.test:${api.port}/meta`, { allowedHosts: allowed })))).message).toContain('169.254.169.254 is a link-local');
    expect((await refusal(client.send(get(`http://a.example.test:${api.port}/off`, { allowedHosts: allowed })))).code).toBe('HOST_NOT_ALLOWED');
  });

  it('follows up to five redirects, turns a 303 into GET, keeps the method on 307, and says where it ended', async () => {
    const api = await server((req, res) => {
      const hop = Number(new URL(req.path, 'http://x').searchParams.get('hop') ?? '0');
      if (req.path.startsWith('/see-other')) return void res.writeHead(303, { location: '/final?hop=9' }).end();
      if (req.path.startsWith('/temporary')) return void res.writeHead(307, { location: '/final?hop=9' }).end();
      if (hop < 5) return void res.writeHead(302, { location: `/chain?hop=${hop + 1}` }).end();
      res.end(`${req.method} ${req.body}`);
    });
    const client = new OutboundHttpClient(options());
    const chained = await client.send(get(`http://a.example.test:${api.port}/chain?hop=0`, { allowedHosts: allowed }));
    expect(chained.redirects).toBe(5);
    expect(chained.url).toBe(`http://a.example.test:${api.port}/chain?hop=5`);
    expect(chained.body.toString()).toBe('GET ');

    const post = { method: 'POST' as const, body: '{"a":1}', headers: { 'content-type': 'application/json' }, allowedHosts: allowed };
    const seeOther = await client.send(get(`http://a.example.test:${api.port}/see-other`, post));
    expect(seeOther.body.toString()).toBe('GET ');
    const temporary = await client.send(get(`http://a.example.test:${api.port}/temporary`, post));
    expect(temporary.body.toString()).toBe('POST {"a":1}');
  });

  it('stops after five redirects', async () => {
    const api = await server((_req, res) => res.writeHead(302, { location: '/again' }).end());
    const error = await refusal(new OutboundHttpClient(options()).send(get(`http://a.example.test:${api.port}/`, { allowedHosts: allowed })));
    expect(error.code).toBe('TOO_MANY_REDIRECTS');
    expect(api.requests).toHaveLength(6);
  });

  it('does not carry credentials to another origin', async () => {
    const second = await server((req, res) => res.end(JSON.stringify(req.headers)));
    const first = await server((_req, res) => res.writeHead(302, { location: `http://b.example.test:${second.port}/landing` }).end());
    const response = await new OutboundHttpClient(options()).send(
      get(`http://a.example.test:${first.port}/`, { allowedHosts: allowed, headers: { Authorization: 'Bearer secret-token', Cookie: 'sid=1', 'X-Trace': 't' } }),
    );
    expect(first.requests[0]!.headers.authorization).toBe('Bearer secret-token');
    const landed = JSON.parse(response.body.toString()) as Record<string, string>;
    expect(landed.authorization).toBeUndefined();
    expect(landed.cookie).toBeUndefined();
    expect(landed['x-trace']).toBe('t');
  });
});

describe('OutboundHttpClient: limits', () => {
  const client = (extra = {}) => new OutboundHttpClient({ privateHostExemptions: ['127.0.0.1'], ...extra });

  it('stops reading a body past the size limit and says so', async () => {
    const api = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 100; i++) res.write('x'.repeat(1000));
      res.end();
    });
    const response = await client({ maxResponseBytes: 10_000 }).send(get(api.url('/big'), { allowedHosts: ['127.0.0.1'] }));
    expect(response.truncated).toBe(true);
    expect(response.body.length).toBe(10_000);
    const whole = await client().send(get(api.url('/big'), { allowedHosts: ['127.0.0.1'] }));
    expect(whole.truncated).toBe(false);
    expect(whole.body.length).toBe(100_000);
  });

  it('gives up when the other side does not answer in time', async () => {
    const api = await server(() => undefined);
    const error = await refusal(client({ timeoutMs: 300 }).send(get(api.url('/slow'), { allowedHosts: ['127.0.0.1'] })));
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('the request to 127.0.0.1:' + api.port + ' took longer than 0.3 s; stopped');
  });

  it('stops at once when the caller aborts, with the caller\'s reason', async () => {
    const api = await server(() => undefined);
    const controller = new AbortController();
    const pending = client().send(get(api.url('/slow'), { allowedHosts: ['127.0.0.1'], signal: controller.signal }));
    await api.nextRequest();
    const reason = new Error('workflow cancelled');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it("leaves no listener on the run's signal, however many calls it makes", async () => {
    const api = await server((_req, res) => res.end('ok'));
    const run = new AbortController();
    const named = new OutboundHttpClient({ resolve: fakeDns({ 'api.example.test': ['127.0.0.1'] }), privateHostExemptions: ['api.example.test'] });
    for (let i = 0; i < 30; i++) {
      await named.send(get(`http://api.example.test:${api.port}/`, { allowedHosts: ['api.example.test'], signal: run.signal }));
    }
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('reports a refused connection', async () => {
    const api = await server(() => undefined);
    const port = api.port;
    await servers.pop()!.close();
    const error = await refusal(client().send(get(`http://127.0.0.1:${port}/`, { allowedHosts: ['127.0.0.1'] })));
    expect(error.code).toBe('CONNECTION_FAILED');
    expect(error.message).toBe(`could not get an answer from 127.0.0.1:${port}: the connection was refused`);
  });
});
