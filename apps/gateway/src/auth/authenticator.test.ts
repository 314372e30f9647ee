import { afterEach, describe, expect, it } from 'vitest';
import type { TenantContext } from '@switchyard/contracts';
import { ContextTokens } from '@switchyard/service-kit';
import { startLoopbackRoute } from '../testing/loopback-route.ts';
import { Authenticator } from './authenticator.ts';

const tokens = new ContextTokens('a-test-secret-of-at-least-32-characters!');

/**
 * The tenants service's key lookup as the gateway calls it (POST /internal/authenticate behind a
 * signed context), over a key table the test changes; lookups can be held to make them concurrent.
 */
async function startKeyService() {
  const keys = new Map<string, TenantContext>();
  const state = { lookups: 0, failing: false };
  const route = await startLoopbackRoute('/internal/authenticate', tokens, (req, res, respond) => {
    state.lookups += 1;
    respond(() => (state.failing ? res.status(503).end() : res.json({ context: keys.get(String(req.body.credential)) ?? null })));
  });
  return { ...route, keys, state };
}

describe('Authenticator', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  const context: TenantContext = { tenantId: 'acme', role: 'DEVELOPER', keyId: 'key-1', subject: 'key:key-1' };

  it('makes one lookup for concurrent requests with the same key, and one per distinct key', async () => {
    const service = await startKeyService();
    closers.push(service.close);
    service.keys.set('sk_one', context);
    service.keys.set('sk_two', { ...context, keyId: 'key-2', subject: 'key:key-2' });
    const auth = new Authenticator(service.url, tokens, 0);
    service.gate.holding = true;
    const answers = Promise.all([
      ...Array.from({ length: 30 }, () => auth.authenticate('Bearer sk_one')),
      ...Array.from({ length: 10 }, () => auth.authenticate('Bearer sk_two')),
    ]);
    await expect.poll(() => service.gate.held.length).toBe(2);
    service.release();
    const contexts = await answers;
    expect(contexts.slice(0, 30).every((c) => c.keyId === 'key-1')).toBe(true);
    expect(contexts.slice(30).every((c) => c.keyId === 'key-2')).toBe(true);
    expect(service.state.lookups).toBe(2);
  });

  it('with no cache time, asks again for a request that arrives after the lookup finished: a revocation applies to it', async () => {
    const service = await startKeyService();
    closers.push(service.close);
    service.keys.set('sk_one', context);
    const auth = new Authenticator(service.url, tokens, 0);
    expect((await auth.authenticate('Bearer sk_one')).keyId).toBe('key-1');
    service.keys.delete('sk_one');
    await expect(auth.authenticate('Bearer sk_one')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(service.state.lookups).toBe(2);
  });

  it('gives every request that shared a failed lookup the same retryable error, and the next request a new lookup', async () => {
    const service = await startKeyService();
    closers.push(service.close);
    service.keys.set('sk_one', context);
    const auth = new Authenticator(service.url, tokens, 0);
    service.state.failing = true;
    service.gate.holding = true;
    const failures = Promise.all(Array.from({ length: 5 }, () => auth.authenticate('Bearer sk_one').then(() => null, (error: { extensions?: { code?: string } }) => error)));
    await expect.poll(() => service.gate.held.length).toBe(1);
    service.release();
    expect((await failures).map((f) => f?.extensions?.code)).toEqual(Array(5).fill('UNAVAILABLE'));
    service.state.failing = false;
    expect((await auth.authenticate('Bearer sk_one')).keyId).toBe('key-1');
    expect(service.state.lookups).toBe(2);
  });
});
