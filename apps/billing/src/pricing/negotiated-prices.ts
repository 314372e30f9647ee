import { BadUserInputError, ForbiddenError, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole } from '@switchyard/service-kit';
import { PRICE_TABLE, type ModelPrice } from './price-table.ts';

interface NegotiatedPriceDoc extends ModelPrice {
  /** `<model>@<effectiveFrom>`: setting the same model and date again replaces that entry. */
  id: string;
  tenantId: string;
  model: string;
  effectiveFrom: string;
  setAt: string;
  setBy: string;
}

export interface SetNegotiatedPriceInput {
  tenantId: string;
  model: string;
  inputUsdPerMillion: number;
  outputUsdPerMillion: number;
  cachedInputUsdPerMillion?: number | null;
  effectiveFrom?: string | null;
}

/** A price that applies to one tenant's calls: the version string recorded with each call says which. */
export interface EffectivePrice {
  price: ModelPrice;
  version: string;
}

/** How far in the past an effectiveFrom may lie (clock skew between the admin and the service). */
const PAST_GRACE_MS = 5 * 60_000;
const MAX_USD_PER_MILLION = 10_000;

/**
 * Prices negotiated with one tenant, per base model of the price table and dated: a call is priced
 * with the newest entry that took effect at or before the call, else with the list price. Entries
 * never take effect in the past, so a call once recorded keeps its price (as does a closed month).
 */
export class NegotiatedPrices {
  private readonly prices: Collection<NegotiatedPriceDoc>;
  constructor(
    store: DocumentStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.prices = store.collection<NegotiatedPriceDoc>('negotiated_prices', { indexes: ['model', 'effectiveFrom'], compositeIndexes: [['model', 'effectiveFrom']] });
  }

  async set(context: TenantContext, input: SetNegotiatedPriceInput) {
    if (context.role !== 'PLATFORM_ADMIN') throw new ForbiddenError('setNegotiatedPrice is for platform admins only.');
    const models = Object.keys(PRICE_TABLE.models);
    if (!models.includes(input.model)) {
      throw new BadUserInputError(`input.model must be a model of the price table (${models.join(', ')}); dated variants and Azure deployments are priced as their base model.`, { field: 'input.model' });
    }
    const tenantId = input.tenantId.trim();
    if (!tenantId || tenantId.length > 200) throw new BadUserInputError('input.tenantId must name a tenant.', { field: 'input.tenantId' });
    const cachedInput = input.cachedInputUsdPerMillion ?? input.inputUsdPerMillion;
    for (const [field, value] of [['inputUsdPerMillion', input.inputUsdPerMillion], ['outputUsdPerMillion', input.outputUsdPerMillion], ['cachedInputUsdPerMillion', cachedInput]] as const) {
      if (!Number.isFinite(value) || value < 0 || value > MAX_USD_PER_MILLION) {
        throw new BadUserInputError(`input.${field} must be between 0 and ${MAX_USD_PER_MILLION} USD per million tokens.`, { field: `input.${field}` });
      }
    }
    const now = this.now();
    const effectiveFrom = input.effectiveFrom ? new Date(input.effectiveFrom) : now;
    if (Number.isNaN(effectiveFrom.getTime()) || effectiveFrom.getTime() < now.getTime() - PAST_GRACE_MS) {
      throw new BadUserInputError('input.effectiveFrom must be now or later: recorded calls keep the price they were recorded with. Leave it out to start now.', { field: 'input.effectiveFrom' });
    }
    const doc: NegotiatedPriceDoc = {
      id: `${input.model}@${effectiveFrom.toISOString()}`,
      tenantId,
      model: input.model,
      input: input.inputUsdPerMillion,
      output: input.outputUsdPerMillion,
      cachedInput,
      effectiveFrom: effectiveFrom.toISOString(),
      setAt: now.toISOString(),
      setBy: context.subject,
    };
    await this.prices.upsert(doc);
    return view(doc);
  }

  async list(context: TenantContext, tenantId: string) {
    requireRole(context, 'VIEWER', 'Reading negotiated prices');
    if (context.role !== 'PLATFORM_ADMIN' && context.tenantId !== tenantId) return [];
    const page = await this.prices.query(tenantId, { orderBy: [{ field: 'model' }, { field: 'effectiveFrom' }], first: 1000 });
    return page.items.map((item) => view(item.doc));
  }

  /** The tenant's negotiated price of a base model at a time, or null for the list price. */
  async priceAt(tenantId: string, model: string, at: string): Promise<EffectivePrice | null> {
    const page = await this.prices.query(tenantId, { where: { model, effectiveFrom: { lte: at } }, orderBy: [{ field: 'effectiveFrom', direction: 'desc' }], first: 1 });
    const doc = page.items[0]?.doc;
    return doc ? { price: { input: doc.input, output: doc.output, cachedInput: doc.cachedInput }, version: `negotiated:${doc.effectiveFrom}` } : null;
  }
}

function view(doc: NegotiatedPriceDoc) {
  return {
    model: doc.model,
    inputUsdPerMillion: doc.input,
    outputUsdPerMillion: doc.output,
    cachedInputUsdPerMillion: doc.cachedInput,
    effectiveFrom: doc.effectiveFrom,
    setAt: doc.setAt,
  };
}
