import { randomUUID } from 'node:crypto';
import { BadUserInputError, WorkflowHints, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole, requireTenant } from '@switchyard/service-kit';
import { recommendByBlueprintRules, type Recommendation } from './blueprint-rules.ts';

const MAX_DESCRIPTION = 100_000;

interface RecommendationDoc extends Recommendation {
  id: string;
  tenantId: string;
  description: string;
  hints: WorkflowHints | null;
  createdAt: string;
}

/** Answers recommendFramework and keeps every recommendation it gave, per tenant. */
export class RecommendationManager {
  private readonly recommendations: Collection<RecommendationDoc>;
  constructor(store: DocumentStore) {
    this.recommendations = store.collection<RecommendationDoc>('recommendations', { indexes: ['createdAt'] });
  }

  async recommend(context: TenantContext, input: { description: string; hints?: unknown }): Promise<Recommendation & { id: string }> {
    requireRole(context, 'VIEWER', 'recommendFramework');
    const tenantId = requireTenant(context, 'recommendFramework');
    const description = input.description.trim();
    if (!description) throw new BadUserInputError('input.description is empty: describe the work to recommend an engine for.', { field: 'input.description' });
    if (description.length > MAX_DESCRIPTION) {
      throw new BadUserInputError(`input.description is ${description.length} characters; at most ${MAX_DESCRIPTION} are read. Shorten it.`, { field: 'input.description' });
    }
    const hints = WorkflowHints.safeParse(input.hints ?? {});
    if (!hints.success) throw new BadUserInputError(`input.hints is invalid: ${hints.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const recommendation = recommendByBlueprintRules(hints.data);
    const id = randomUUID();
    await this.recommendations.create({
      id,
      tenantId,
      description: description.slice(0, 2000),
      hints: input.hints ? hints.data : null,
      createdAt: new Date().toISOString(),
      ...recommendation,
    });
    return { id, ...recommendation };
  }
}
