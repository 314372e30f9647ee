import { describe, expect, it } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import type { TenantContext } from '@switchyard/contracts';
import { ToolSettingsManager } from './tool-settings-manager.ts';

const admin: TenantContext = { tenantId: 'acme', role: 'TENANT_ADMIN', keyId: 'k', subject: 'key:k' };
const developer: TenantContext = { ...admin, role: 'DEVELOPER' };
const otherAdmin: TenantContext = { ...admin, tenantId: 'globex' };

const enabled = (tools: Array<{ name: string; enabled: boolean }>) => tools.filter((t) => t.enabled).map((t) => t.name);

describe('ToolSettingsManager', () => {
  it('lists the platform tools with JSON Schema arguments; only tools that stay inside the platform start enabled', async () => {
    const manager = new ToolSettingsManager(new SqliteStore({ filename: ':memory:' }));
    const tools = await manager.list(developer);
    expect(tools.find((t) => t.name === 'calculator')).toMatchObject({
      source: 'builtin',
      enabled: true,
      parameters: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
    });
    expect(enabled(tools)).toEqual(['calculator', 'current_time', 'word_count', 'run_code', 'knowledge_search']);
  });

  it('lets a tenant admin enable and disable tools and set the configuration, for its own tenant only', async () => {
    const manager = new ToolSettingsManager(new SqliteStore({ filename: ':memory:' }));
    const after = await manager.update(admin, { disable: ['run_code'], config: { allowedHosts: ['API.Example.com', '*.example.org'], jira: { baseUrl: 'https://acme.atlassian.net' } } });
    expect(enabled(after)).toEqual(['calculator', 'current_time', 'word_count', 'knowledge_search']);
    expect(await manager.config(developer)).toEqual({ allowedHosts: ['api.example.com', '*.example.org'], jira: { baseUrl: 'https://acme.atlassian.net' } });
    expect(await manager.forTenant('acme')).toMatchObject({ overrides: { run_code: false } });
    // Another tenant is untouched.
    expect(enabled(await manager.list(otherAdmin))).toContain('run_code');
    expect(await manager.config(otherAdmin)).toEqual({ allowedHosts: [] });
    // A later change keeps the earlier choices.
    await manager.update(admin, { enable: ['run_code'] });
    expect(await manager.forTenant('acme')).toMatchObject({ overrides: { run_code: true }, config: { allowedHosts: ['api.example.com', '*.example.org'] } });
  });

  it('refuses unknown tools, bad hosts and non-admins with clear errors', async () => {
    const manager = new ToolSettingsManager(new SqliteStore({ filename: ':memory:' }));
    await expect(manager.update(admin, { enable: ['teleport'] })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: 'input.enable: unknown tool "teleport"; the tools query lists the available ones.' });
    await expect(manager.update(admin, { enable: ['calculator'], disable: ['calculator'] })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(manager.update(admin, { config: { allowedHosts: ['http://x.com/path'] } })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('input.config: allowedHosts.0: must be a host name such as "api.example.com"'),
    });
    await expect(manager.update(developer, { enable: ['calculator'] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('keeps both of two concurrent changes', async () => {
    const manager = new ToolSettingsManager(new SqliteStore({ filename: ':memory:' }));
    await Promise.all([manager.update(admin, { disable: ['run_code'] }), manager.update(admin, { disable: ['word_count'] }), manager.update(admin, { disable: ['calculator'] })]);
    expect((await manager.forTenant('acme')).overrides).toEqual({ run_code: false, word_count: false, calculator: false });
  });

  it('shows a stored MCP server config that no longer parses, with what to do, instead of hiding it', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    await store.collection<{ id: string; tenantId: string } & Record<string, unknown>>('tool_settings').create({ id: 'acme', tenantId: 'acme', overrides: {}, config: { allowedHosts: [] }, mcpServers: [{ name: 'legacy', transport: 'carrier-pigeon' }], updatedAt: '2026-01-01T00:00:00Z' });
    const manager = new ToolSettingsManager(store);
    expect(await manager.mcpServers(admin)).toEqual([
      { name: 'legacy', transport: 'unknown', url: null, command: null, headerNames: [], tools: null, error: "This server's stored config is no longer valid; register it again with registerMcpServer." },
    ]);
  });
});
