import { describe, expect, it } from 'vitest';
import type { TenantContext } from '@switchyard/contracts';
import { ContextTokens } from './context-token.ts';

const SECRET = 's'.repeat(32);
const acme: TenantContext = { tenantId: 'acme', role: 'DEVELOPER', keyId: 'k1', subject: 'service:workflows' };

describe('ContextTokens', () => {
  it('reuses a signed token for the same context, and signs another context anew', async () => {
    const tokens = new ContextTokens(SECRET);
    const first = await tokens.sign(acme);
    expect(await tokens.sign({ ...acme })).toBe(first);
    const others = await Promise.all([
      tokens.sign({ ...acme, tenantId: 'globex' }),
      tokens.sign({ ...acme, role: 'VIEWER' }),
      tokens.sign({ ...acme, keyId: null }),
      tokens.sign({ ...acme, subject: 'service:billing' }),
    ]);
    expect(new Set([first, ...others]).size).toBe(5);
    for (const [i, expected] of [{ tenantId: 'globex' }, { role: 'VIEWER' }, { keyId: null }, { subject: 'service:billing' }].entries()) {
      expect(await new ContextTokens(SECRET).verify(others[i])).toEqual({ ...acme, ...expected });
    }
  });

  it('answers a token it verified before without trusting anything else: a changed or foreign token is refused', async () => {
    const tokens = new ContextTokens(SECRET);
    const token = await tokens.sign(acme);
    expect(await tokens.verify(token)).toEqual(acme);
    expect(await tokens.verify(token)).toEqual(acme);
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), tid: 'globex' })).toString('base64url')}.${signature}`;
    await expect(tokens.verify(forged)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const foreign = await new ContextTokens('x'.repeat(32)).sign(acme);
    await expect(tokens.verify(foreign)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('stops answering a remembered token once it expires, and signs a fresh one after a quarter of its life', async () => {
    const tokens = new ContextTokens(SECRET, 1);
    const token = await tokens.sign(acme);
    expect(await tokens.verify(token)).toEqual(acme);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const fresh = await tokens.sign(acme);
    expect(fresh).not.toBe(token);
    expect(await tokens.verify(fresh)).toEqual(acme);
  });
});
