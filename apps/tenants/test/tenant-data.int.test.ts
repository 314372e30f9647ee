import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogDocument,
  CreateTenantDocument,
  EraseTenantDataDocument,
  ExportTenantDataDocument,
  IngestDocumentDocument,
  SetBudgetDocument,
  StartWorkflowDocument,
  ViewerDocument,
  WorkflowDocument,
} from '@switchyard/client';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';

/** Every row of every SQLite store of the platform that belongs to `tenantId` (by partition or by content). */
function rowsOf(stateDir: string, tenantId: string): string[] {
  const found: string[] = [];
  const dataDir = join(stateDir, 'data');
  for (const file of readdirSync(dataDir).filter((f) => f.endsWith('.db'))) {
    const db = new Database(join(dataDir, file), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'doc\\_%' ESCAPE '\\'").pluck().all() as string[];
    for (const table of tables) {
      const rows = db.prepare(`SELECT tenant_id, id, data FROM "${table}"`).all() as { tenant_id: string; id: string; data: string }[];
      for (const row of rows) {
        // The platform's own audit log records that an erasure happened (who and when), by design.
        if (file === 'tenants.db' && table === 'doc_audit_log' && row.tenant_id === '_platform') continue;
        if (row.tenant_id === tenantId || row.data.includes(tenantId)) found.push(`${file}:${table}:${row.id}`);
      }
    }
    db.close();
  }
  return found;
}

describe('GDPR data requests across every service', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('exports everything of a tenant from every service, then erases it so nothing remains in any store', async () => {
    const { createTenant } = await stack.client(stack.adminKey).request(CreateTenantDocument, { input: { name: 'Leaving Corp' } });
    const tenantId = createTenant.tenant.id;
    const client = stack.client(createTenant.secret);
    const { startWorkflow } = await client.request(StartWorkflowDocument, { input: { input: 'Process insurance claim #4242' } });
    await client.request(IngestDocumentDocument, { input: { title: 'Policy', content: 'Claims above 25000 need approval.' } });
    await client.request(SetBudgetDocument, { input: { monthlyLimitUsd: 50, hardLimit: true } });
    await eventually(async () => {
      const { workflow } = await client.request(WorkflowDocument, { id: startWorkflow.id });
      return workflow?.status === 'SUCCEEDED' ? true : undefined;
    }, 60_000, 200);
    expect(rowsOf(stack.stateDir, tenantId).length).toBeGreaterThan(10);

    const { exportTenantData } = await client.request(ExportTenantDataDocument);
    const archive = exportTenantData as { tenantId: string; services: Record<string, Record<string, unknown[]>> };
    expect(archive.tenantId).toBe(tenantId);
    for (const service of ['tenants', 'workflows', 'engine-langgraph', 'billing', 'knowledge', 'selection']) {
      expect(Object.keys(archive.services[service] ?? {}), service).not.toEqual([]);
    }
    expect(JSON.stringify(archive.services.workflows)).toContain(startWorkflow.id);
    expect(JSON.stringify(archive)).not.toContain(stack.tenantId);

    const { auditLog } = await client.request(AuditLogDocument, { first: 10 });
    expect(auditLog.entries.map((e) => e.fields[0])).toEqual(expect.arrayContaining(['startWorkflow', 'ingestDocument', 'setBudget', 'exportTenantData']));

    const refused = await client.request(EraseTenantDataDocument, { confirmTenantId: stack.tenantId }).then(() => null, (e: { code?: string }) => e);
    expect(refused?.code).toBe('FORBIDDEN');

    const { eraseTenantData } = await client.request(EraseTenantDataDocument, { confirmTenantId: tenantId });
    expect(eraseTenantData).toBe(true);
    expect(rowsOf(stack.stateDir, tenantId)).toEqual([]);
    const after = await client.request(ViewerDocument).then(() => null, (e: { code?: string }) => e);
    expect(after?.code).toBe('UNAUTHENTICATED');
    // The other tenant is untouched.
    expect((await stack.client().request(ViewerDocument)).viewer.tenant?.id).toBe(stack.tenantId);
  });
});
