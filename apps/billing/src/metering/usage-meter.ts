import { z } from 'zod';
import { ConflictError, Framework, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole } from '@switchyard/service-kit';
import { PRICE_TABLE, costUsd, lookupPrice, type ModelPrice } from '../pricing/price-table.ts';

/** One model call as the engines reported it (a MODEL_CALL event), forwarded by the orchestrator. */
export const ModelCallUsage = z.object({
  callId: z.string().min(1).max(200),
  workflowId: z.string().min(1),
  engine: Framework.nullable(),
  agent: z.string().max(200).nullable(),
  step: z.string().max(200).nullable(),
  model: z.string().min(1).max(200),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cachedTokens: z.number().int().nonnegative().default(0),
  latencyMs: z.number().nonnegative(),
  at: z.string(),
});
export type ModelCallUsage = z.infer<typeof ModelCallUsage>;

interface UsageDoc extends ModelCallUsage {
  id: string;
  tenantId: string;
  baseModel: string | null;
  costUsd: number;
  priceVersion: string;
}

interface Totals {
  totalUsd: number;
  inputTokens: number;
  outputTokens: number;
  modelCalls: number;
}

function add(totals: Totals, doc: UsageDoc): void {
  totals.totalUsd += doc.costUsd;
  totals.inputTokens += doc.inputTokens;
  totals.outputTokens += doc.outputTokens;
  totals.modelCalls += 1;
}

const zero = (): Totals => ({ totalUsd: 0, inputTokens: 0, outputTokens: 0, modelCalls: 0 });
const round = (t: Totals): Totals => ({ ...t, totalUsd: Math.round(t.totalUsd * 1e8) / 1e8 });

/**
 * Every model call, recorded once (the call's id is the record's id, so a retried or replayed
 * report is not counted twice) and priced with the versioned price table.
 */
export class UsageMeter {
  private readonly records: Collection<UsageDoc>;
  constructor(
    store: DocumentStore,
    private readonly deployments: Record<string, string> = {},
    private readonly tenantPrices: (tenantId: string) => Partial<Record<string, ModelPrice>> = () => ({}),
  ) {
    this.records = store.collection<UsageDoc>('usage_records', { indexes: ['workflowId', 'at'] });
  }

  /** Returns false when the call was already recorded. */
  async record(tenantId: string, usage: ModelCallUsage): Promise<boolean> {
    const { model, price } = lookupPrice(usage.model, this.deployments, this.tenantPrices(tenantId));
    const doc: UsageDoc = {
      ...usage,
      id: usage.callId,
      tenantId,
      baseModel: model,
      costUsd: price ? costUsd(price, usage) : 0,
      priceVersion: PRICE_TABLE.version,
    };
    try {
      await this.records.create(doc);
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }

  async workflowCost(context: TenantContext, workflowId: string) {
    requireRole(context, 'VIEWER', 'Reading costs');
    const total = zero();
    const byAgent = new Map<string, Totals>();
    if (context.tenantId) {
      for (const doc of await this.all(context.tenantId, { workflowId })) {
        add(total, doc);
        const agent = doc.agent ?? doc.step ?? 'unattributed';
        if (!byAgent.has(agent)) byAgent.set(agent, zero());
        add(byAgent.get(agent)!, doc);
      }
    }
    return { ...round(total), byAgent: [...byAgent].map(([agent, totals]) => ({ agent, ...round(totals) })) };
  }

  async usage(context: TenantContext, tenantId: string, from?: string | null, to?: string | null) {
    requireRole(context, 'VIEWER', 'Reading usage');
    const total = zero();
    const workflows = new Set<string>();
    if (context.role === 'PLATFORM_ADMIN' || context.tenantId === tenantId) {
      for (const doc of await this.all(tenantId, from ? { at: { gte: from } } : {})) {
        if (to && doc.at >= to) continue;
        add(total, doc);
        workflows.add(doc.workflowId);
      }
    }
    return { ...round(total), workflows: workflows.size };
  }

  /** Spend of the calendar month (UTC) that contains `now`. */
  async monthSpend(tenantId: string, now = new Date()): Promise<number> {
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
    const docs = await this.all(tenantId, { at: { gte: from } });
    return Math.round(docs.reduce((sum, doc) => sum + doc.costUsd, 0) * 1e8) / 1e8;
  }

  private async all(tenantId: string, where: Record<string, string | { gte: string }>): Promise<UsageDoc[]> {
    const docs: UsageDoc[] = [];
    let after: string | undefined;
    do {
      const page = await this.records.query(tenantId, { where, first: 1000, after });
      docs.push(...page.items.map((item) => item.doc));
      after = page.hasNextPage && page.endCursor ? page.endCursor : undefined;
    } while (after);
    return docs;
  }
}
