import { z } from 'zod';
import { ConflictError, Framework, PreconditionFailedError, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { bucketStart, percentile, requireRole, seriesWindow, trace, type TimeBucket } from '@switchyard/service-kit';
import { PRICE_TABLE, costUsd, lookupPrice } from '../pricing/price-table.ts';
import type { EffectivePrice } from '../pricing/negotiated-prices.ts';

/** One model call as the engines reported it (a MODEL_CALL event), forwarded by the orchestrator. */
export const ModelCallUsage = z.object({
  callId: z.string().min(1).max(200),
  /** null: a call of the platform itself on the tenant's behalf (the knowledge base embedding documents). */
  workflowId: z.string().min(1).nullable(),
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

export interface UsageDoc extends ModelCallUsage {
  id: string;
  tenantId: string;
  baseModel: string | null;
  costUsd: number;
  priceVersion: string;
  /** true: the provider reported no usage and the engine counted the tokens with the model's tokenizer. */
  estimated?: boolean;
}

/** The engine's note that a call's usage was counted by a tokenizer (sent before the call's usage record). */
export const UsageEstimateMark = z.object({
  callId: z.string().min(1).max(200),
  workflowId: z.string().min(1).max(200),
  model: z.string().min(1).max(200),
  encoding: z.string().min(1).max(50),
});
export type UsageEstimateMark = z.infer<typeof UsageEstimateMark>;

interface EstimateMarkDoc extends UsageEstimateMark {
  id: string;
  tenantId: string;
  at: string;
}

export interface UsageMeterOptions {
  /** The tenant's negotiated price of a base model at a time (null: the list price). */
  negotiatedPrice?: (tenantId: string, model: string, at: string) => Promise<EffectivePrice | null>;
  /** Called once per newly recorded call with the month's spend after it (for budget thresholds). */
  onRecorded?: (tenantId: string, doc: UsageDoc, monthSpendUsd: number) => Promise<void>;
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

/** Totals grouped by a key, in the order `sort` gives. */
function breakdown<K extends string>(docs: UsageDoc[], keyName: K, keyOf: (doc: UsageDoc) => string, sort: (a: string, b: string) => number) {
  const groups = new Map<string, Totals>();
  for (const doc of docs) {
    const key = keyOf(doc);
    if (!groups.has(key)) groups.set(key, zero());
    add(groups.get(key)!, doc);
  }
  return [...groups.keys()].sort(sort).map((key) => ({ [keyName]: key, ...round(groups.get(key)!) }) as Record<K, string> & Totals);
}

/** YYYY-MM (UTC) of an ISO time. */
export const monthOf = (at: string | Date): string => (typeof at === 'string' ? new Date(at) : at).toISOString().slice(0, 7);

/** Spend is also kept as a counter per month, in nano-USD (integers add exactly under concurrency). */
interface SpendCounterDoc {
  id: string;
  tenantId: string;
  nanoUsd: number;
}

/**
 * Every model call, recorded once (the call's id is the record's id, so a retried or replayed
 * report is not counted twice) and priced with the versioned price table.
 */
export class UsageMeter {
  private readonly records: Collection<UsageDoc>;
  private readonly estimates: Collection<EstimateMarkDoc>;
  private readonly spend: Collection<SpendCounterDoc>;
  constructor(
    store: DocumentStore,
    private readonly deployments: Record<string, string> = {},
    private readonly options: UsageMeterOptions = {},
  ) {
    this.records = store.collection<UsageDoc>('usage_records', { indexes: ['workflowId', 'at'] });
    this.estimates = store.collection<EstimateMarkDoc>('usage_estimates');
    this.spend = store.collection<SpendCounterDoc>('spend_counters');
  }

  /** The price a tenant pays for a model's calls at a time: its negotiated price, else the list price. */
  async priceFor(tenantId: string, modelName: string, at: string) {
    const { model, price } = lookupPrice(modelName, this.deployments);
    const negotiated = model ? await this.options.negotiatedPrice?.(tenantId, model, at) : null;
    return { model, price: negotiated?.price ?? price, version: negotiated?.version ?? PRICE_TABLE.version };
  }

  /** Returns false when the call was already recorded. */
  async record(tenantId: string, reported: ModelCallUsage): Promise<boolean> {
    return (await this.recordMany(tenantId, [reported]))[0]!;
  }

  /**
   * Record several calls of one tenant; for each, whether it was new (false: recorded before, by
   * its call id). The month's spend counter is updated once per month the new calls fall in.
   */
  async recordMany(tenantId: string, calls: readonly ModelCallUsage[]): Promise<boolean[]> {
    const created: UsageDoc[] = [];
    const results: boolean[] = [];
    for (const call of calls) {
      const doc = await this.priced(tenantId, call);
      try {
        await this.records.create(doc);
        created.push(doc);
        results.push(true);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        results.push(false);
      }
    }
    const byMonth = new Map<string, UsageDoc[]>();
    for (const doc of created) byMonth.set(monthOf(doc.at), [...(byMonth.get(monthOf(doc.at)) ?? []), doc]);
    for (const [month, docs] of byMonth) {
      const nanoUsd = await this.spend.increment(tenantId, `spend-${month}`, 'nanoUsd', docs.reduce((sum, doc) => sum + Math.round(doc.costUsd * 1e9), 0), { nanoUsd: 0 });
      for (const doc of docs) await this.options.onRecorded?.(tenantId, doc, nanoUsd / 1e9);
    }
    return results;
  }

  private async priced(tenantId: string, reported: ModelCallUsage): Promise<UsageDoc> {
    const at = new Date(reported.at);
    const usage = { ...reported, at: Number.isNaN(at.getTime()) ? new Date().toISOString() : at.toISOString() };
    const { model, price, version } = await this.priceFor(tenantId, usage.model, usage.at);
    const estimated = (await this.estimates.get(tenantId, usage.callId)) !== null;
    const doc: UsageDoc = {
      ...usage,
      id: usage.callId,
      tenantId,
      baseModel: model,
      costUsd: price ? costUsd(price, usage) : 0,
      priceVersion: version,
      ...(estimated ? { estimated: true } : {}),
    };
    // The request's span (the orchestrator's forward of the MODEL_CALL event) gets the priced call.
    trace.getActiveSpan()?.setAttributes({ 'switchyard.cost_usd': doc.costUsd, 'gen_ai.request.model': usage.model, ...(usage.workflowId ? { 'switchyard.workflow.id': usage.workflowId } : {}), ...(usage.engine ? { 'switchyard.framework': usage.engine } : {}) });
    return doc;
  }

  /**
   * Mark a call's usage as counted by a tokenizer. The mark usually arrives before the call's record
   * (the engine sends it before it reports the call); when it comes after, the record is updated.
   */
  async markEstimated(tenantId: string, mark: UsageEstimateMark): Promise<void> {
    try {
      await this.estimates.create({ ...mark, id: mark.callId, tenantId, at: new Date().toISOString() });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    for (;;) {
      const stored = await this.records.get(tenantId, mark.callId);
      if (!stored || stored.doc.estimated) return;
      try {
        await this.records.replace({ ...stored.doc, estimated: true }, { ifMatch: stored.etag });
        return;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
      }
    }
  }

  /** Every recorded call of a tenant in [from, to). */
  async recordsBetween(tenantId: string, from?: string | null, to?: string | null): Promise<UsageDoc[]> {
    // Stored times are toISOString() text; bounds are compared as the same text.
    const iso = (at: string) => new Date(at).toISOString();
    const docs = await this.all(tenantId, from ? { at: { gte: iso(from) } } : {});
    return to ? docs.filter((doc) => doc.at < iso(to)) : docs;
  }

  async workflowCost(context: TenantContext, workflowId: string) {
    requireRole(context, 'VIEWER', 'Reading costs');
    const total = zero();
    const byAgent = new Map<string, Totals>();
    let estimatedCount = 0;
    if (context.tenantId) {
      for (const doc of await this.all(context.tenantId, { workflowId })) {
        add(total, doc);
        if (doc.estimated) estimatedCount += 1;
        const agent = doc.agent ?? doc.step ?? 'unattributed';
        if (!byAgent.has(agent)) byAgent.set(agent, zero());
        add(byAgent.get(agent)!, doc);
      }
    }
    return { ...round(total), byAgent: [...byAgent].map(([agent, totals]) => ({ agent, ...round(totals) })), estimatedModelCalls: estimatedCount };
  }

  async usage(context: TenantContext, tenantId: string, from?: string | null, to?: string | null) {
    requireRole(context, 'VIEWER', 'Reading usage');
    const docs = context.role === 'PLATFORM_ADMIN' || context.tenantId === tenantId ? await this.recordsBetween(tenantId, from, to) : [];
    const total = zero();
    for (const doc of docs) add(total, doc);
    return {
      ...round(total),
      workflows: new Set(docs.flatMap((doc) => (doc.workflowId ? [doc.workflowId] : []))).size,
      estimatedModelCalls: docs.filter((doc) => doc.estimated).length,
      byModel: breakdown(docs, 'model', (doc) => doc.baseModel ?? doc.model, (a, b) => a.localeCompare(b)),
      byEngine: breakdown(docs, 'engine', usageSource, (a, b) => a.localeCompare(b)),
      byDay: breakdown(docs, 'day', (doc) => doc.at.slice(0, 10), (a, b) => a.localeCompare(b)),
    };
  }

  /** The tenant's calls as points per bucket, engine and model (see Tenant.usageSeries); another tenant's are never read. */
  async usageSeries(context: TenantContext, tenantId: string, args: { from?: string | null; to?: string | null; bucket?: TimeBucket | null }) {
    requireRole(context, 'VIEWER', 'Reading usage');
    const window = seriesWindow(args);
    if (context.role !== 'PLATFORM_ADMIN' && context.tenantId !== tenantId) return [];
    const points = new Map<string, { start: string; engine: string; model: string; totals: Totals; cachedTokens: number; latencies: number[] }>();
    for (const doc of await this.recordsBetween(tenantId, window.from.toISOString(), window.to.toISOString())) {
      const start = bucketStart(doc.at, window.bucket).toISOString();
      const engine = usageSource(doc);
      const model = doc.baseModel ?? doc.model;
      const key = `${start} ${engine} ${model}`;
      let point = points.get(key);
      if (!point) points.set(key, (point = { start, engine, model, totals: zero(), cachedTokens: 0, latencies: [] }));
      add(point.totals, doc);
      point.cachedTokens += doc.cachedTokens;
      point.latencies.push(doc.latencyMs);
    }
    return [...points.values()]
      .sort((a, b) => a.start.localeCompare(b.start) || a.engine.localeCompare(b.engine) || a.model.localeCompare(b.model))
      .map(({ start, engine, model, totals, cachedTokens, latencies }) => {
        const { totalUsd, inputTokens, outputTokens, modelCalls } = round(totals);
        return { start, engine, model, modelCalls, inputTokens, outputTokens, cachedTokens, costUsd: totalUsd, latencyP50Ms: percentile(latencies, 50), latencyP95Ms: percentile(latencies, 95) };
      });
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

/** What made a call, for breakdowns and statements: its engine, the knowledge base, or UNKNOWN. */
export function usageSource(doc: Pick<UsageDoc, 'engine' | 'step'>): string {
  return doc.engine ?? (doc.step?.startsWith('knowledge-') ? 'KNOWLEDGE' : 'UNKNOWN');
}
