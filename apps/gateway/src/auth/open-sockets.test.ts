import { describe, expect, it } from 'vitest';
import { UnauthenticatedError, UnavailableError, type TenantContext } from '@switchyard/contracts';
import { credentialTenantDigest } from '@switchyard/service-kit';
import { CLOSE_FORBIDDEN, OpenSockets, type OpenSocket } from './open-sockets.ts';

function socket(keyId: string, tenantId: string) {
  const closes: number[] = [];
  const tenant: TenantContext = { tenantId, role: 'DEVELOPER', keyId, subject: `key:${keyId}` };
  const open: OpenSocket = { authorization: `Bearer ${keyId}`, tenant, close: (code) => closes.push(code) };
  return { open, closes };
}

describe('OpenSockets', () => {
  it('verifies again only the connections whose key or tenant changed, and closes those refused', async () => {
    const asked: string[] = [];
    const refused = new Set(['Bearer k1']);
    const sockets = new OpenSockets(async (authorization) => {
      asked.push(authorization!);
      if (refused.has(authorization!)) throw new UnauthenticatedError();
      return { tenantId: 't', role: 'DEVELOPER', keyId: 'x', subject: 'x' };
    });
    const a = socket('k1', 't1');
    const b = socket('k2', 't1');
    const c = socket('k3', 't2');
    for (const s of [a, b, c]) sockets.add(s.open);

    sockets.forget([{ keyId: 'k1' }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toEqual(['Bearer k1']);
    expect(a.closes).toEqual([CLOSE_FORBIDDEN]);
    expect(sockets.size).toBe(2);

    asked.length = 0;
    sockets.forget([{ tenantDigest: credentialTenantDigest('t1') }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toEqual(['Bearer k2']);
    expect(b.closes).toEqual([]);
    expect(c.closes).toEqual([]);
  });

  it('keeps a connection when the tenants service cannot answer (told once per re-check), and checks every one after a reset', async () => {
    const errors: [unknown, number][] = [];
    let answer: Error | null = new UnavailableError('tenants down');
    const sockets = new OpenSockets(async () => {
      if (answer) throw answer;
      return { tenantId: 't', role: 'DEVELOPER', keyId: 'x', subject: 'x' };
    }, (error, unverified) => errors.push([error, unverified]));
    const a = socket('k1', 't1');
    const b = socket('k2', 't2');
    sockets.add(a.open);
    sockets.add(b.open);
    await sockets.recheck([a.open, b.open]);
    expect(a.closes).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]![1]).toBe(2);
    expect((errors[0]![0] as Error).message).toContain('tenants down');

    answer = new UnauthenticatedError();
    sockets.forgetAll();
    await new Promise((resolve) => setImmediate(resolve));
    expect(a.closes).toEqual([CLOSE_FORBIDDEN]);
    expect(b.closes).toEqual([CLOSE_FORBIDDEN]);
    expect(sockets.size).toBe(0);
  });
});
