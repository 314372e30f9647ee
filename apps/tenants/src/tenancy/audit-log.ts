import { randomBytes } from 'node:crypto';
import { BadUserInputError, Role, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole, requireTenant } from '@switchyard/service-kit';
import { z } from 'zod';

export const AuditRecord = z.object({
  tenantId: z.string().nullable(),
  actor: z.string().max(200),
  role: Role,
  operation: z.string().max(200),
  fields: z.array(z.string().max(100)).max(50),
  outcome: z.enum(['ok', 'error', 'partial']),
  errorCodes: z.array(z.string().max(64)).max(50),
  /** When the gateway answered; absent: when the record arrives. */
  at: z.iso.datetime().optional(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

interface AuditDoc extends AuditRecord {
  id: string;
  tenantId: string;
  at: string;
}

const PLATFORM_PARTITION = '_platform';

/**
 * Every mutation and data request, recorded by the gateway after it answered: append-only (there
 * is no way to change or delete an entry through the API), partitioned by tenant, newest first.
 */
export class AuditLog {
  private readonly entries: Collection<AuditDoc>;
  private sequence = 0;
  constructor(store: DocumentStore) {
    this.entries = store.collection<AuditDoc>('audit_log', { indexes: ['at'] });
  }

  async append(record: AuditRecord, now = new Date()): Promise<void> {
    // The gateway's answer time, so a record written late by a retry keeps its place; a time from the
    // future (a skewed clock) or from more than a day ago is not trusted and the arrival time is used.
    const stated = record.at ? Date.parse(record.at) : NaN;
    const at = stated <= now.getTime() + 60_000 && stated >= now.getTime() - 86_400_000 ? new Date(stated).toISOString() : now.toISOString();
    // Ids sort by time, then by this process's sequence, so entries keep their order and never collide.
    const id = `${at}-${String(++this.sequence).padStart(10, '0')}-${randomBytes(4).toString('hex')}`;
    await this.entries.create({ ...record, id, tenantId: record.tenantId ?? PLATFORM_PARTITION, at });
  }

  async list(context: TenantContext, first = 50, after?: string | null) {
    requireRole(context, 'TENANT_ADMIN', 'Reading the audit log');
    const tenantId = requireTenant(context, 'Reading the audit log');
    if (first < 1 || first > 500) throw new BadUserInputError('first must be between 1 and 500.', { field: 'first' });
    const page = await this.entries.query(tenantId, { orderBy: [{ field: 'at', direction: 'desc' }], first, after: after ?? undefined });
    return { entries: page.items.map((item) => item.doc), endCursor: page.endCursor, hasNextPage: page.hasNextPage };
  }
}
