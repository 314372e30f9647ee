import { describe, expect, it } from 'vitest';
import { ModelSettingsCache, chooseModel } from './model-policy.ts';

describe('chooseModel', () => {
  const open = { allowedModels: [], defaultModel: null };
  const bound = { allowedModels: ['gpt-4.1-mini', 'gpt-4o'], defaultModel: 'gpt-4.1-mini' };
  it("gives calls that name no model the tenant's default, or the first allowed model", () => {
    expect(chooseModel(open, 'gpt-4o-mini', false)).toBe('gpt-4o-mini');
    expect(chooseModel(bound, 'gpt-4o-mini', false)).toBe('gpt-4.1-mini');
    expect(chooseModel({ allowedModels: ['gpt-4o'], defaultModel: null }, 'gpt-4o-mini', false)).toBe('gpt-4o');
    expect(chooseModel({ allowedModels: [], defaultModel: 'gpt-4.1' }, 'gpt-4o-mini', false)).toBe('gpt-4.1');
  });
  it('keeps a named model the tenant allows and refuses one it does not, with FORBIDDEN naming the allowed ones', () => {
    expect(chooseModel(bound, 'gpt-4o', true)).toBe('gpt-4o');
    expect(chooseModel(open, 'o3-mini', true)).toBe('o3-mini');
    expect(() => chooseModel(bound, 'gpt-4-turbo', true)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }), message: expect.stringContaining('gpt-4.1-mini, gpt-4o') }));
  });
});

describe('ModelSettingsCache', () => {
  it('asks the tenants service once per tenant while fresh, and again after the time to live', async () => {
    let reads = 0;
    const cache = new ModelSettingsCache(async () => ({ allowedModels: [], defaultModel: `m${++reads}` }), 50);
    const context = { tenantId: 'acme', role: 'DEVELOPER' as const, keyId: null, subject: 's' };
    const [a, b] = await Promise.all([cache.of(context), cache.of(context)]);
    expect([a.defaultModel, b.defaultModel, reads]).toEqual(['m1', 'm1', 1]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await cache.of(context)).defaultModel).toBe('m2');
  });

  it('keeps using the settings read last while the tenants service cannot be reached', async () => {
    let up = true;
    const cache = new ModelSettingsCache(async () => {
      if (!up) throw new Error('connect ECONNREFUSED');
      return { allowedModels: ['gpt-4o'], defaultModel: null };
    }, 10);
    const context = { tenantId: 'acme', role: 'DEVELOPER' as const, keyId: null, subject: 's' };
    await cache.of(context);
    up = false;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await cache.of(context)).allowedModels).toEqual(['gpt-4o']);
    await expect(cache.of({ ...context, tenantId: 'never-read' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
