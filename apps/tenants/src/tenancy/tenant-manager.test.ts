import { describe, expect, it } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import type { TenantContext } from '@switchyard/contracts';
import { TenantManager } from './tenant-manager.ts';
import { newApiKey } from './api-key-secrets.ts';

const platform: TenantContext = { tenantId: null, role: 'PLATFORM_ADMIN', keyId: null, subject: 'test' };

describe('TenantManager', () => {
  it('creates a tenant with a first admin key that authenticates, and revocation takes effect at once', async () => {
    const tenants = new TenantManager(new SqliteStore({ filename: ':memory:' }));
    const { tenant, secret } = await tenants.createTenant(platform, 'Acme');
    const context = await tenants.authenticate(secret);
    expect(context).toMatchObject({ tenantId: tenant.id, role: 'TENANT_ADMIN' });
    const dev = await tenants.createKey(context!, 'ci', 'DEVELOPER');
    expect((await tenants.authenticate(dev.secret))?.role).toBe('DEVELOPER');
    await tenants.revokeKey(context!, dev.apiKey.id);
    expect(await tenants.authenticate(dev.secret)).toBeNull();
    expect(await tenants.authenticate(`${secret.slice(0, -2)}zz`)).toBeNull();
  });

  it('enforces roles', async () => {
    const tenants = new TenantManager(new SqliteStore({ filename: ':memory:' }));
    const { tenant } = await tenants.createTenant(platform, 'Acme');
    const viewer: TenantContext = { tenantId: tenant.id, role: 'VIEWER', keyId: 'k', subject: 'x' };
    await expect(tenants.createKey(viewer, 'x', 'DEVELOPER')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(tenants.createTenant(viewer, 'Other')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const admin: TenantContext = { ...viewer, role: 'TENANT_ADMIN' };
    await expect(tenants.createKey(admin, 'x', 'PLATFORM_ADMIN')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await tenants.getTenant(viewer, 'someone-else')).toBeNull();
  });

  it('bootstraps dev credentials idempotently', async () => {
    const tenants = new TenantManager(new SqliteStore({ filename: ':memory:' }));
    const admin = newApiKey().secret;
    const dev = newApiKey().secret;
    await tenants.ensureBootstrap(admin, dev, 'dev');
    await tenants.ensureBootstrap(admin, dev, 'dev');
    expect(await tenants.authenticate(admin)).toMatchObject({ role: 'PLATFORM_ADMIN', tenantId: null });
    expect(await tenants.authenticate(dev)).toMatchObject({ role: 'TENANT_ADMIN', tenantId: 'dev' });
  });
});
