/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  cachedInput: number;
}

/**
 * The price table, versioned: every usage record names the version it was priced with, so a
 * change of prices never rewrites history. Prices are the providers' list prices per million tokens.
 */
export const PRICE_TABLE = {
  version: '2026-11-01',
  models: {
    'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
    'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
    'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
    'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
    'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025 },
    'o3-mini': { input: 1.1, output: 4.4, cachedInput: 0.55 },
    'gpt-4-turbo': { input: 10, output: 30, cachedInput: 10 },
    'gpt-35-turbo': { input: 0.5, output: 1.5, cachedInput: 0.5 },
    'text-embedding-3-small': { input: 0.02, output: 0, cachedInput: 0.02 },
    'text-embedding-3-large': { input: 0.13, output: 0, cachedInput: 0.13 },
  } satisfies Record<string, ModelPrice>,
} as const;

export type PricedModel = keyof typeof PRICE_TABLE.models;

export interface PriceLookup {
  model: PricedModel | null;
  price: ModelPrice | null;
}

/**
 * The base model a name stands for: an exact entry, an Azure deployment name mapped to its base model
 * (AZURE_DEPLOYMENT_MODELS), or a dated variant (gpt-4o-mini-2024-07-18 is gpt-4o-mini). The
 * simulator echoes the model it was asked for, so it is priced like the model it stands for.
 */
export function lookupPrice(name: string, deployments: Record<string, string> = {}, overrides: Partial<Record<string, ModelPrice>> = {}): PriceLookup {
  const base = deployments[name] ?? name;
  const models = PRICE_TABLE.models as Record<string, ModelPrice>;
  const candidates = Object.keys(models).sort((a, b) => b.length - a.length);
  const match = models[base] ? base : candidates.find((model) => base === model || base.startsWith(`${model}-`)) ?? null;
  if (!match) return { model: null, price: null };
  return { model: match as PricedModel, price: overrides[match] ?? models[match]! };
}

export function costUsd(price: ModelPrice, usage: { inputTokens: number; outputTokens: number; cachedTokens: number }): number {
  const uncached = Math.max(0, usage.inputTokens - usage.cachedTokens);
  return (uncached * price.input + usage.cachedTokens * price.cachedInput + usage.outputTokens * price.output) / 1_000_000;
}

/**
 * The most a call can cost, for a reservation: its priced model, or the dearest model in the table
 * when the name is unknown (a reservation must never be smaller than the real cost).
 */
export function maxCostUsd(model: string, maxInputTokens: number, maxOutputTokens: number, deployments: Record<string, string> = {}): number {
  const prices = Object.values(PRICE_TABLE.models) as ModelPrice[];
  const price = lookupPrice(model, deployments).price ?? {
    input: Math.max(...prices.map((p) => p.input)),
    output: Math.max(...prices.map((p) => p.output)),
    cachedInput: Math.max(...prices.map((p) => p.cachedInput)),
  };
  return costUsd(price, { inputTokens: maxInputTokens, outputTokens: maxOutputTokens, cachedTokens: 0 });
}
