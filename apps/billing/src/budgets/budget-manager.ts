import { randomBytes } from 'node:crypto';
import { BadUserInputError, NotFoundError, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { hasRole, requireRole, requireTenant } from '@switchyard/service-kit';
import type { UsageMeter } from '../metering/usage-meter.ts';
import { parseWebhookUrl, type DestinationCheck } from './webhook-destination.ts';

export interface BudgetDoc {
  id: string;
  tenantId: string;
  monthlyLimitUsd: number;
  hardLimit: boolean;
  /** Percent of the monthly limit; absent in budgets stored before thresholds existed (the defaults apply). */
  thresholds?: number[];
  webhookUrl?: string | null;
  /** HMAC-SHA256 key of the webhook's signatures, made when a webhook URL is first set. */
  webhookSecret?: string | null;
  updatedAt: string;
}

export interface SetBudgetInput {
  monthlyLimitUsd: number;
  hardLimit: boolean;
  thresholds?: number[] | null;
  webhookUrl?: string | null;
}

/** A hard monthly limit on what one API key's workflows may spend, inside the tenant's budget. */
export interface ApiKeyBudgetDoc {
  id: string;
  tenantId: string;
  apiKeyId: string;
  monthlyLimitUsd: number;
  updatedAt: string;
}

const BUDGET_ID = 'monthly';
export const DEFAULT_THRESHOLDS = [50, 80, 100];

/** Budgets per tenant, with the month's spend from metered model calls (enforced by BudgetLedger). */
export class BudgetManager {
  private readonly budgets: Collection<BudgetDoc>;
  private readonly keyBudgets: Collection<ApiKeyBudgetDoc>;
  constructor(
    store: DocumentStore,
    private readonly meter: UsageMeter,
    private readonly checkDestination: DestinationCheck = async () => undefined,
    /** Whether an API key belongs to the caller's tenant (asked of the tenants service). */
    private readonly keyExists: (context: TenantContext, keyId: string) => Promise<boolean> = async () => false,
  ) {
    this.budgets = store.collection<BudgetDoc>('budgets');
    this.keyBudgets = store.collection<ApiKeyBudgetDoc>('api_key_budgets');
  }

  /** The key's own limit, always hard (null: the key has none and only the tenant's budget applies). */
  async keyLimitOf(tenantId: string, keyId: string | null): Promise<{ monthlyLimitUsd: number; hardLimit: true } | null> {
    if (!keyId) return null;
    const doc = (await this.keyBudgets.get(tenantId, keyId))?.doc;
    return doc ? { monthlyLimitUsd: doc.monthlyLimitUsd, hardLimit: true } : null;
  }

  /** Set (or, with null, remove) an API key's monthly limit; the key's workflows stop at it even when the tenant has budget left. */
  async setApiKeyBudget(context: TenantContext, apiKeyId: string, monthlyLimitUsd: number | null): Promise<ApiKeyBudgetDoc | null> {
    requireRole(context, 'TENANT_ADMIN', 'setApiKeyBudget');
    const tenantId = requireTenant(context, 'setApiKeyBudget');
    if (!/^[\w-]{1,100}$/.test(apiKeyId)) throw new BadUserInputError('apiKeyId must be the id of one of the tenant\'s API keys (see apiKeys).', { field: 'apiKeyId' });
    if (monthlyLimitUsd === null) {
      await this.keyBudgets.delete(tenantId, apiKeyId);
      return null;
    }
    if (!(await this.keyExists(context, apiKeyId))) throw new NotFoundError('API key', apiKeyId);
    if (!Number.isFinite(monthlyLimitUsd) || monthlyLimitUsd < 0 || monthlyLimitUsd > 10_000_000) {
      throw new BadUserInputError('monthlyLimitUsd must be between 0 and 10,000,000 USD, or null to remove the key\'s budget.', { field: 'monthlyLimitUsd' });
    }
    const doc: ApiKeyBudgetDoc = { id: apiKeyId, tenantId, apiKeyId, monthlyLimitUsd, updatedAt: new Date().toISOString() };
    await this.keyBudgets.upsert(doc);
    return doc;
  }

  async apiKeyBudgets(context: TenantContext, tenantId: string): Promise<ApiKeyBudgetDoc[]> {
    requireRole(context, 'VIEWER', 'Reading API key budgets');
    if (context.role !== 'PLATFORM_ADMIN' && context.tenantId !== tenantId) return [];
    return (await this.keyBudgets.query(tenantId, { first: 1000 })).items.map((item) => item.doc);
  }

  async getBudget(context: TenantContext, tenantId: string) {
    requireRole(context, 'VIEWER', 'Reading the budget');
    if (context.role !== 'PLATFORM_ADMIN' && context.tenantId !== tenantId) return null;
    const stored = await this.budgets.get(tenantId, BUDGET_ID);
    return stored ? this.view(context, stored.doc, await this.meter.monthSpend(tenantId)) : null;
  }

  /** The tenant's limit, for reservations (null: no budget set). */
  async limitOf(tenantId: string): Promise<{ monthlyLimitUsd: number; hardLimit: boolean } | null> {
    return (await this.budgets.get(tenantId, BUDGET_ID))?.doc ?? null;
  }

  /** The whole budget (thresholds, webhook and its secret), for alerts; never returned to callers as is. */
  async settingsOf(tenantId: string): Promise<(BudgetDoc & { thresholds: number[] }) | null> {
    const doc = (await this.budgets.get(tenantId, BUDGET_ID))?.doc;
    return doc ? { ...doc, thresholds: doc.thresholds ?? DEFAULT_THRESHOLDS } : null;
  }

  async setBudget(context: TenantContext, input: SetBudgetInput) {
    requireRole(context, 'TENANT_ADMIN', 'setBudget');
    const tenantId = requireTenant(context, 'setBudget');
    if (!Number.isFinite(input.monthlyLimitUsd) || input.monthlyLimitUsd < 0 || input.monthlyLimitUsd > 10_000_000) {
      throw new BadUserInputError('input.monthlyLimitUsd must be between 0 and 10,000,000 USD.', { field: 'input.monthlyLimitUsd' });
    }
    const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
    if (thresholds.length > 10 || thresholds.some((t) => !Number.isFinite(t) || t < 1 || t > 1000)) {
      throw new BadUserInputError('input.thresholds must be at most 10 percentages of the monthly limit, each from 1 to 1000 (e.g. [50, 80, 100]).', { field: 'input.thresholds' });
    }
    const webhookUrl = input.webhookUrl ? parseWebhookUrl(input.webhookUrl) : null;
    if (webhookUrl) await this.checkDestination(webhookUrl);
    const previous = (await this.budgets.get(tenantId, BUDGET_ID))?.doc;
    const doc: BudgetDoc = {
      id: BUDGET_ID,
      tenantId,
      monthlyLimitUsd: input.monthlyLimitUsd,
      hardLimit: input.hardLimit,
      thresholds: [...new Set(thresholds)].sort((a, b) => a - b),
      webhookUrl: webhookUrl?.toString() ?? null,
      webhookSecret: webhookUrl ? (previous?.webhookSecret ?? `whsec_${randomBytes(32).toString('base64url')}`) : null,
      updatedAt: new Date().toISOString(),
    };
    await this.budgets.upsert(doc);
    return this.view(context, doc, await this.meter.monthSpend(tenantId));
  }

  private view(context: TenantContext, doc: BudgetDoc, spentUsd: number) {
    return {
      monthlyLimitUsd: doc.monthlyLimitUsd,
      hardLimit: doc.hardLimit,
      spentUsd,
      thresholds: doc.thresholds ?? DEFAULT_THRESHOLDS,
      webhookUrl: doc.webhookUrl ?? null,
      webhookSecret: hasRole(context, 'TENANT_ADMIN') ? (doc.webhookSecret ?? null) : null,
    };
  }
}
