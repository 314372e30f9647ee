import { describe, expect, it } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import type { TenantContext } from '@switchyard/contracts';
import { TenantManager } from './tenant-manager.ts';
import { AuditLog } from './audit-log.ts';

const platform: TenantContext = { tenantId: null, role: 'PLATFORM_ADMIN', keyId: null, subject: 'test' };

async function setup() {
  const store = new SqliteStore({ filename: ':memory:' });
  const tenants = new TenantManager(store);
  const { tenant, secret } = await tenants.createTenant(platform, 'Acme', undefined, { plan: 'enterprise', region: 'northeurope' });
  const admin = (await tenants.authenticate(secret))!;
  return { store, tenants, tenant, secret, admin };
}

describe('tenant lifecycle, keys and settings', () => {
  it('rotates a key: the old secret stops working at once, the new one works with the same role', async () => {
    const { tenants, admin } = await setup();
    const dev = await tenants.createKey(admin, 'ci', 'DEVELOPER');
    const rotated = await tenants.rotateKey(admin, dev.apiKey.id);
    expect(await tenants.authenticate(dev.secret)).toBeNull();
    expect((await tenants.authenticate(rotated.secret))?.role).toBe('DEVELOPER');
    await expect(tenants.rotateKey(admin, dev.apiKey.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses an expiry in the past and stops an expired key', async () => {
    const { tenants, admin } = await setup();
    await expect(tenants.createKey(admin, 'old', 'VIEWER', '2020-01-01T00:00:00Z')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    const soon = await tenants.createKey(admin, 'short', 'VIEWER', new Date(Date.now() + 300).toISOString());
    expect(await tenants.authenticate(soon.secret)).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await tenants.authenticate(soon.secret)).toBeNull();
  });

  it('suspends, reactivates and deletes tenants (platform admins only)', async () => {
    const { tenants, tenant, secret, admin } = await setup();
    await expect(tenants.setStatus(admin, tenant.id, 'SUSPENDED')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await tenants.setStatus(platform, tenant.id, 'SUSPENDED');
    expect(await tenants.authenticate(secret)).toBeNull();
    await tenants.setStatus(platform, tenant.id, 'ACTIVE');
    expect(await tenants.authenticate(secret)).not.toBeNull();
    expect(await tenants.deleteTenant(platform, tenant.id)).toBe(true);
    expect(await tenants.authenticate(secret)).toBeNull();
    expect(await tenants.getTenant(platform, tenant.id)).toBeNull();
  });

  it('validates and stores settings and branding', async () => {
    const { tenants, admin, tenant } = await setup();
    expect(tenant.plan).toBe('enterprise');
    const updated = await tenants.updateSettings(admin, { allowedModels: ['gpt-4o', 'gpt-4o-mini'], defaultModel: 'gpt-4o-mini', frameworkPreferences: { state_machine: 'LANGGRAPH' } });
    expect(updated.settings).toEqual({ allowedModels: ['gpt-4o', 'gpt-4o-mini'], defaultModel: 'gpt-4o-mini', frameworkPreferences: { state_machine: 'LANGGRAPH' }, telemetry: { keepPrompts: false } });
    // Keeping prompts is an opt-in that leaves the other settings as they were.
    const opted = await tenants.updateSettings(admin, { telemetry: { keepPrompts: true } });
    expect(opted.settings).toEqual({ ...updated.settings, telemetry: { keepPrompts: true } });
    await expect(tenants.updateSettings(admin, { telemetry: { keepPrompts: 'yes' as unknown as boolean } })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('input.telemetry.keepPrompts must be true or false') });
    await expect(tenants.updateSettings({ ...admin, role: 'DEVELOPER' }, { telemetry: { keepPrompts: false } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await tenants.updateSettings(admin, { telemetry: { keepPrompts: false } })).settings?.telemetry).toEqual({ keepPrompts: false });
    await expect(tenants.updateSettings(admin, { defaultModel: 'claude' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('not among the allowed models') });
    await expect(tenants.updateSettings(admin, { frameworkPreferences: { x: 'SKYNET' } })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(tenants.updateSettings({ ...admin, role: 'DEVELOPER' }, {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const branded = await tenants.setBranding(admin, { displayName: 'Acme AI', logoUrl: 'https://acme.example/logo.svg', primaryColor: '#112233', accentColor: null });
    expect(branded.branding?.displayName).toBe('Acme AI');
    await expect(tenants.setBranding(admin, { displayName: null, logoUrl: 'javascript:alert(1)', primaryColor: null, accentColor: null })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(tenants.setBranding(admin, { displayName: null, logoUrl: null, primaryColor: 'red', accentColor: null })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('AuditLog', () => {
  it('lists a tenant its own entries, newest first, to tenant admins only', async () => {
    const audit = new AuditLog(new SqliteStore({ filename: ':memory:' }));
    for (const operation of ['First', 'Second', 'Third']) {
      await audit.append({ tenantId: 'acme', actor: 'key:k1', role: 'DEVELOPER', operation, fields: ['startWorkflow'], outcome: 'ok', errorCodes: [] });
    }
    await audit.append({ tenantId: 'globex', actor: 'key:k9', role: 'DEVELOPER', operation: 'Theirs', fields: ['startWorkflow'], outcome: 'ok', errorCodes: [] });
    const admin: TenantContext = { tenantId: 'acme', role: 'TENANT_ADMIN', keyId: 'k0', subject: 'key:k0' };
    const page = await audit.list(admin, 2);
    expect(page.entries.map((e) => e.operation)).toEqual(['Third', 'Second']);
    const rest = await audit.list(admin, 2, page.endCursor);
    expect(rest.entries.map((e) => e.operation)).toEqual(['First']);
    await expect(audit.list({ ...admin, role: 'DEVELOPER' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it("keeps the gateway's answer time, so a record written late by a retry keeps its place; a time from the future is not trusted", async () => {
    const audit = new AuditLog(new SqliteStore({ filename: ':memory:' }));
    const now = new Date('2026-11-27T12:00:00.000Z');
    const entry = (operation: string, at?: string) => ({ tenantId: 'acme', actor: 'key:k1', role: 'DEVELOPER' as const, operation, fields: ['x'], outcome: 'ok' as const, errorCodes: [], ...(at ? { at } : {}) });
    await audit.append(entry('Answered later', '2026-11-27T11:59:30.000Z'), now);
    await audit.append(entry('Answered first, written after a retry', '2026-11-27T11:58:00.000Z'), now);
    await audit.append(entry('Clock ahead', '2026-11-27T13:00:00.000Z'), now);
    const admin: TenantContext = { tenantId: 'acme', role: 'TENANT_ADMIN', keyId: 'k0', subject: 'key:k0' };
    const { entries } = await audit.list(admin);
    expect(entries.map((e) => [e.operation, e.at])).toEqual([
      ['Clock ahead', '2026-11-27T12:00:00.000Z'],
      ['Answered later', '2026-11-27T11:59:30.000Z'],
      ['Answered first, written after a retry', '2026-11-27T11:58:00.000Z'],
    ]);
  });
});
