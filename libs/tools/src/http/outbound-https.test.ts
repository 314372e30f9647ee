import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundHttpClient, OutboundHttpError } from './outbound-http-client.ts';
import { fakeDns } from './testing/loopback-server.ts';

// A test CA and a certificate for jira.corp.test only (testing/tls, valid until 2126; test use only).
const fixture = (name: string) => readFileSync(new URL(`./testing/tls/${name}`, import.meta.url), 'utf8');
const CA = fixture('ca.pem');

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer({ cert: fixture('jira.pem'), key: fixture('jira.key') }, (req, res) => res.end(`tls ok for ${req.headers.host}`));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

const dns = () => fakeDns({ 'jira.corp.test': ['127.0.0.1'], 'other.corp.test': ['127.0.0.1'] });
const get = (client: OutboundHttpClient, host: string) =>
  client.send({ method: 'GET', url: `https://${host}:${port}/`, allowedHosts: [], hostFromTenantConfig: true, carriesCredentials: true, signal: new AbortController().signal });

describe('OutboundHttpClient over https', () => {
  it('connects to the pinned address and still verifies the certificate against the host name', async () => {
    const client = new OutboundHttpClient({ resolve: dns(), privateHostExemptions: ['*.corp.test'], extraCertificateAuthorities: [CA] });
    const response = await get(client, 'jira.corp.test');
    expect(response.body.toString()).toBe(`tls ok for jira.corp.test:${port}`);

    // Same address, another name: the certificate does not cover it.
    const mismatch = await get(client, 'other.corp.test').catch((error: unknown) => error);
    expect(mismatch).toBeInstanceOf(OutboundHttpError);
    expect((mismatch as OutboundHttpError).code).toBe('CONNECTION_FAILED');
    expect((mismatch as OutboundHttpError).message).toBe(`could not get an answer from other.corp.test:${port}: a TLS error (ERR_TLS_CERT_ALTNAME_INVALID)`);
  });

  it('refuses a certificate from an authority the operator did not add', async () => {
    const client = new OutboundHttpClient({ resolve: dns(), privateHostExemptions: ['*.corp.test'] });
    const error = await get(client, 'jira.corp.test').catch((e: unknown) => e);
    expect((error as OutboundHttpError).code).toBe('CONNECTION_FAILED');
    expect((error as OutboundHttpError).message).toMatch(/a TLS error \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)$/);
  });
});
