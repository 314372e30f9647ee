import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import { EnvelopeEncryption, LocalKeyEncryptionKey } from '@switchyard/service-kit';
import type { TenantContext } from '@switchyard/contracts';
import { IntegrationSecrets } from './integration-secrets.ts';

const admin: TenantContext = { tenantId: 'acme', role: 'TENANT_ADMIN', keyId: 'k', subject: 'key:k' };

describe('IntegrationSecrets', () => {
  it('keeps secrets encrypted at rest, never lists their values, and reveals them only to platform services', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const secrets = new IntegrationSecrets(store, new EnvelopeEncryption(new LocalKeyEncryptionKey(randomBytes(32).toString('base64'))));
    const stored = await secrets.set(admin, { integration: 'slack', name: 'webhook', value: 'https://hooks.slack.example/T000/B000/XXXX' });
    expect(stored).not.toHaveProperty('value');
    expect(JSON.stringify(await store.exportTenant('acme'))).not.toContain('hooks.slack.example');
    expect(JSON.stringify(await secrets.list(admin))).not.toContain('hooks.slack.example');
    expect(await secrets.reveal('acme', 'slack', 'webhook')).toBe('https://hooks.slack.example/T000/B000/XXXX');
    await expect(secrets.reveal('globex', 'slack', 'webhook')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(secrets.set({ ...admin, role: 'DEVELOPER' }, { integration: 'slack', name: 'x', value: 'y' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(secrets.set(admin, { integration: 'Slack!', name: 'x', value: 'y' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await secrets.delete(admin, 'slack', 'webhook')).toBe(true);
  });

  it('says clearly when no master key is configured', async () => {
    const secrets = new IntegrationSecrets(new SqliteStore({ filename: ':memory:' }), null);
    await expect(secrets.set(admin, { integration: 'jira', name: 'token', value: 't' })).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('SWITCHYARD_MASTER_KEY') });
  });
});
