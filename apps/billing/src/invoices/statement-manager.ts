import { stringify } from 'csv-stringify/sync';
import { BadUserInputError, ConflictError, ErrorCode, ForbiddenError, SwitchyardError, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole } from '@switchyard/service-kit';
import { monthOf, usageSource, type UsageMeter } from '../metering/usage-meter.ts';

export interface StatementLine {
  model: string;
  engine: string;
  modelCalls: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  /** Micro-USD, so line amounts add up to the totals exactly. */
  costMicros: number;
  amountMicros: number;
}

interface StatementDoc {
  /** `statement-<YYYY-MM>` */
  id: string;
  tenantId: string;
  month: string;
  plan: string;
  markup: number;
  lines: StatementLine[];
  generatedAt: string;
  closedAt: string;
}

/** Multipliers of cost per plan: the platform's price is cost times the tenant's plan's markup. */
export type PlanMarkups = Record<string, number>;

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const usd = (micros: number) => micros / 1e6;
const fixed = (micros: number) => (micros / 1e6).toFixed(6);

/**
 * Monthly statements: the month's metered calls grouped by model and engine, with their cost and
 * the platform's price (cost times the plan's markup). A month is a live preview until a platform
 * admin closes it; closing stores the statement once (a conditional create), so closing again, on
 * any replica, returns the very same statement, and nothing changes it afterwards.
 */
export class StatementManager {
  private readonly statements: Collection<StatementDoc>;
  constructor(
    store: DocumentStore,
    private readonly meter: UsageMeter,
    private readonly planOf: (tenantId: string) => Promise<string>,
    private readonly markups: PlanMarkups,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.statements = store.collection<StatementDoc>('statements', { indexes: ['month'] });
  }

  /** A month's statement (default: the current month): the closed one, or a live preview. */
  async statement(context: TenantContext, tenantId: string, month?: string | null) {
    requireRole(context, 'VIEWER', 'Reading statements');
    if (context.role !== 'PLATFORM_ADMIN' && context.tenantId !== tenantId) return null;
    const wanted = parseMonth(month ?? monthOf(this.now()), 'month');
    const closed = await this.statements.get(tenantId, `statement-${wanted}`);
    if (closed) return view(closed.doc, 'CLOSED');
    return view(await this.build(tenantId, wanted), 'OPEN');
  }

  /** Closed statements, newest first. */
  async invoices(context: TenantContext, tenantId: string) {
    requireRole(context, 'VIEWER', 'Reading invoices');
    if (context.role !== 'PLATFORM_ADMIN' && context.tenantId !== tenantId) return [];
    const page = await this.statements.query(tenantId, { orderBy: [{ field: 'month', direction: 'desc' }], first: 1000 });
    return page.items.map((item) => view(item.doc, 'CLOSED'));
  }

  async close(context: TenantContext, tenantId: string, month: string) {
    if (context.role !== 'PLATFORM_ADMIN') throw new ForbiddenError('closeStatement is for platform admins only.');
    const wanted = parseMonth(month, 'month');
    if (wanted >= monthOf(this.now())) {
      throw new BadUserInputError(`${wanted} has not ended yet (UTC); only a past month can be closed. Read Tenant.statement for the live preview.`, { field: 'month' });
    }
    const existing = await this.statements.get(tenantId, `statement-${wanted}`);
    if (existing) return view(existing.doc, 'CLOSED');
    const doc = await this.build(tenantId, wanted);
    try {
      await this.statements.create(doc);
      return view(doc, 'CLOSED');
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Another replica closed it first: theirs is the statement.
      return view((await this.statements.get(tenantId, `statement-${wanted}`))!.doc, 'CLOSED');
    }
  }

  private async build(tenantId: string, month: string): Promise<StatementDoc> {
    const [year, monthNumber] = month.split('-').map(Number) as [number, number];
    const from = new Date(Date.UTC(year, monthNumber - 1, 1)).toISOString();
    const to = new Date(Date.UTC(year, monthNumber, 1)).toISOString();
    const plan = await this.planOf(tenantId);
    const markup = this.markups[plan];
    if (markup === undefined) {
      throw new SwitchyardError(ErrorCode.UNAVAILABLE, `No markup is configured for the plan "${plan}"; an operator must add it to BILLING_PLAN_MARKUPS.`);
    }
    const groups = new Map<string, StatementLine & { costNanos: number }>();
    for (const doc of await this.meter.recordsBetween(tenantId, from, to)) {
      const model = doc.baseModel ?? doc.model;
      const engine = usageSource(doc);
      const key = `${model}\u0000${engine}`;
      const line = groups.get(key) ?? { model, engine, modelCalls: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, costMicros: 0, amountMicros: 0, costNanos: 0 };
      line.modelCalls += 1;
      line.inputTokens += doc.inputTokens;
      line.outputTokens += doc.outputTokens;
      line.cachedTokens += doc.cachedTokens;
      line.costNanos += Math.round(doc.costUsd * 1e9);
      groups.set(key, line);
    }
    const lines = [...groups.values()]
      .sort((a, b) => a.model.localeCompare(b.model) || a.engine.localeCompare(b.engine))
      .map(({ costNanos, ...line }) => ({ ...line, costMicros: Math.round(costNanos / 1000), amountMicros: Math.round((costNanos * markup) / 1000) }));
    const at = this.now().toISOString();
    return { id: `statement-${month}`, tenantId, month, plan, markup, lines, generatedAt: at, closedAt: at };
  }
}

function parseMonth(month: string, field: string): string {
  if (!MONTH.test(month)) throw new BadUserInputError(`${field} must be YYYY-MM, e.g. 2026-11.`, { field });
  return month;
}

function view(doc: StatementDoc, status: 'OPEN' | 'CLOSED') {
  const sum = (pick: (line: StatementLine) => number) => doc.lines.reduce((total, line) => total + pick(line), 0);
  const totals = {
    modelCalls: sum((l) => l.modelCalls),
    inputTokens: sum((l) => l.inputTokens),
    outputTokens: sum((l) => l.outputTokens),
    cachedTokens: sum((l) => l.cachedTokens),
    costMicros: sum((l) => l.costMicros),
    amountMicros: sum((l) => l.amountMicros),
  };
  const lines = doc.lines.map((line) => ({ ...line, costUsd: usd(line.costMicros), amountUsd: usd(line.amountMicros) }));
  const statement = {
    month: doc.month,
    status,
    plan: doc.plan,
    markup: doc.markup,
    currency: 'USD',
    lines,
    modelCalls: totals.modelCalls,
    inputTokens: totals.inputTokens,
    outputTokens: totals.outputTokens,
    costUsd: usd(totals.costMicros),
    amountUsd: usd(totals.amountMicros),
    generatedAt: doc.generatedAt,
    closedAt: status === 'CLOSED' ? doc.closedAt : null,
  };
  const rows = [
    ['month', 'model', 'engine', 'model_calls', 'input_tokens', 'output_tokens', 'cached_tokens', 'cost_usd', 'markup', 'amount_usd'],
    ...doc.lines.map((l) => [doc.month, l.model, l.engine, l.modelCalls, l.inputTokens, l.outputTokens, l.cachedTokens, fixed(l.costMicros), doc.markup, fixed(l.amountMicros)]),
    [doc.month, 'TOTAL', '', totals.modelCalls, totals.inputTokens, totals.outputTokens, totals.cachedTokens, fixed(totals.costMicros), doc.markup, fixed(totals.amountMicros)],
  ];
  return {
    ...statement,
    csv: stringify(rows),
    json: JSON.stringify({ ...statement, lines: lines.map(({ costMicros: _c, amountMicros: _a, ...line }) => line) }),
    lines: lines.map(({ costMicros: _c, amountMicros: _a, ...line }) => line),
  };
}
