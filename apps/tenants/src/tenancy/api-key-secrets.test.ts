import { describe, expect, it } from 'vitest';
import { hashSecret, newApiKey, parseApiKey, verifySecret } from './api-key-secrets.ts';

describe('API key secrets', () => {
  it('makes keys with a visible id that parse back', () => {
    const { keyId, secret } = newApiKey();
    expect(secret.startsWith(`sy_${keyId}_`)).toBe(true);
    expect(parseApiKey(secret)).toEqual({ keyId, secret });
    expect(parseApiKey('Bearer nonsense')).toBeNull();
    expect(parseApiKey(`sy_${keyId}_short`)).toBeNull();
  });

  it('stores only a salted slow hash that verifies the right secret and nothing else', async () => {
    const { secret } = newApiKey();
    const hash = await hashSecret(secret);
    expect(hash).not.toContain(secret.slice(20));
    expect(hash).not.toBe(await hashSecret(secret));
    expect(await verifySecret(secret, hash)).toBe(true);
    expect(await verifySecret(`${secret}x`, hash)).toBe(false);
    expect(await verifySecret(secret, 'md5$abc')).toBe(false);
  });
});
