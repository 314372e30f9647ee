import { randomUUID } from 'node:crypto';
import { BadUserInputError, type Framework, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole, requireTenant } from '@switchyard/service-kit';
import { describeEvidence, shapeOf, type FrameworkModel } from '../model/framework-model.ts';
import { MAX_MODEL_CHARS } from '../model/text-features.ts';
import type { OutcomeManager } from '../outcomes/outcome-manager.ts';
import type { PreferenceManager } from '../preferences/preference-manager.ts';
import { recommendationRecords, type Recommendation, type RecommendationRecord, type RecommendationSource } from './recommendation-record.ts';
import { thompsonChoice } from './thompson-sampling.ts';

/** Longest description accepted; the model itself reads the first MAX_MODEL_CHARS characters. */
export const MAX_DESCRIPTION = 100_000;

const STRING_HINTS = ['type', 'complexity', 'mode'] as const;
const BOOLEAN_HINTS = ['hierarchy', 'codeExecution', 'hybrid', 'needsResearch', 'needsCode'] as const;

/** Keeps the hints the model understands, in the shapes it expects; anything else is dropped, never an error. */
export function sanitizeHints(hints: unknown): Record<string, unknown> | null {
  if (!hints || typeof hints !== 'object' || Array.isArray(hints)) return null;
  const h = hints as Record<string, unknown>;
  const clean: Record<string, unknown> = {};
  for (const name of STRING_HINTS) if (typeof h[name] === 'string' && h[name]) clean[name] = (h[name] as string).slice(0, 64);
  for (const name of BOOLEAN_HINTS) if (typeof h[name] === 'boolean') clean[name] = h[name];
  if (Array.isArray(h.agents)) clean.agents = h.agents.filter((a): a is string => typeof a === 'string').slice(0, 50).map((a) => a.slice(0, 64));
  return Object.keys(clean).length ? clean : null;
}

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

export interface RecommendationManagerOptions {
  /** Source of randomness for exploration; injectable so tests are reproducible. */
  random?: () => number;
}

/**
 * Answers recommendFramework with the trained model, applies the tenant's pins and exploration,
 * and keeps every recommendation it gave (with its id and outcome), per tenant.
 */
export class RecommendationManager {
  private readonly records: Collection<RecommendationRecord>;
  private readonly random: () => number;
  constructor(
    store: DocumentStore,
    private readonly model: FrameworkModel,
    private readonly preferences: PreferenceManager,
    private readonly outcomes: OutcomeManager,
    options: RecommendationManagerOptions = {},
  ) {
    this.records = recommendationRecords(store);
    this.random = options.random ?? Math.random;
  }

  async recommend(context: TenantContext, input: { description: string; hints?: unknown }): Promise<Recommendation & { id: string; recommendationId: string; source: RecommendationSource }> {
    requireRole(context, 'VIEWER', 'recommendFramework');
    const tenantId = requireTenant(context, 'recommendFramework');
    const description = (input.description ?? '').trim();
    if (!description) throw new BadUserInputError('input.description is empty: describe the work to recommend an engine for.', { field: 'input.description' });
    if (description.length > MAX_DESCRIPTION) {
      throw new BadUserInputError(
        `input.description is ${description.length} characters; at most ${MAX_DESCRIPTION} are accepted (the recommender reads the first ${MAX_MODEL_CHARS}). Send a summary of the work instead.`,
        { field: 'input.description' },
      );
    }
    const hints = sanitizeHints(input.hints);
    const prediction = this.model.predict(description, hints);
    const modelTop = prediction.ranked[0]!;
    const probability = (f: Framework) => prediction.ranked.find((r) => r.framework === f)!.probability;
    const because = describeEvidence(prediction.evidence);
    const modelSays = `the request reads as ${shapeOf(modelTop.framework)} (${because})`;

    let framework = modelTop.framework;
    let source: RecommendationSource = 'MODEL';
    let rationale = `${framework} fits: ${modelSays}.`;
    const pin = await this.preferences.pinFor(tenantId, description, modelTop.framework);
    if (pin) {
      framework = pin.preference.framework;
      source = 'PREFERENCE';
      rationale = `Pinned by this tenant's preference "${pin.preference.workflowType}" -> ${framework}, because ${pin.reason}. The model alone recommends ${modelTop.framework} (${round4(modelTop.probability)}): ${modelSays}.`;
    } else {
      const rate = await this.preferences.explorationRate(tenantId);
      if (rate > 0 && this.random() < rate) {
        framework = thompsonChoice(prediction.ranked, await this.outcomes.observed(tenantId), this.random);
        source = 'EXPLORATION';
        rationale = `Exploring (this tenant's exploration rate is ${rate}): Thompson sampling over the model's probabilities and this tenant's observed outcomes picked ${framework}. The model's top choice is ${modelTop.framework} (${round4(modelTop.probability)}): ${modelSays}.`;
      }
    }
    if (prediction.truncated) rationale += ` Only the first ${MAX_MODEL_CHARS} characters of the description were read.`;

    const recommendation: Recommendation = {
      framework,
      confidence: round4(probability(framework)),
      alternatives: prediction.ranked.filter((r) => r.framework !== framework).map((r) => ({ framework: r.framework, probability: round4(r.probability) })),
      rationale,
      modelVersion: this.model.version,
    };
    const id = randomUUID();
    await this.records.create({
      id,
      tenantId,
      description: description.slice(0, 2000),
      hints,
      createdAt: new Date().toISOString(),
      source,
      modelFramework: modelTop.framework,
      outcome: 'PENDING',
      rating: null,
      correctFramework: null,
      ...recommendation,
    });
    await this.outcomes.countRecommended(tenantId, framework);
    return { id, recommendationId: id, source, ...recommendation };
  }
}
