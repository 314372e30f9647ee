import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Role, TenantContext } from '@switchyard/contracts';
import { SqliteStore } from '@switchyard/store';
import { FrameworkModel, latestModelFile } from '../model/framework-model.ts';
import { seededRandom } from '../model/labeled-example.ts';
import { MODEL_DIR } from '../model/model-files.ts';
import { OutcomeManager } from '../outcomes/outcome-manager.ts';
import { PreferenceManager } from '../preferences/preference-manager.ts';
import { RecommendationManager } from './recommendation-manager.ts';

const model = FrameworkModel.load(latestModelFile(MODEL_DIR));
const as = (tenantId: string, role: Role): TenantContext => ({ tenantId, role, keyId: 'k', subject: `${role.toLowerCase()}@${tenantId}` });
const CLAIM = 'Process insurance claim #12345: validate the policy and send claims above $10,000 to an adjuster for approval.';
const CREW = 'Put together a team of a market researcher, a financial analyst and a writer to produce a report on the scooter market.';

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
  return 'no error';
}

describe('RecommendationManager', () => {
  let store: SqliteStore;
  let preferences: PreferenceManager;
  let outcomes: OutcomeManager;
  let recommender: RecommendationManager;
  beforeEach(() => {
    store = new SqliteStore({ filename: ':memory:' });
    preferences = new PreferenceManager(store);
    outcomes = new OutcomeManager(store);
    recommender = new RecommendationManager(store, model, preferences, outcomes, { random: seededRandom(1) });
  });
  afterEach(() => store.close());

  it('recommends from the text with a calibrated confidence, alternatives, a rationale and the model version', async () => {
    const r = await recommender.recommend(as('t1', 'VIEWER'), { description: CLAIM });
    expect(r.framework).toBe('LANGGRAPH');
    expect(r.modelVersion).toBe(model.version);
    expect(r.confidence).toBeGreaterThan(0.5);
    expect(r.alternatives.map((a) => a.framework).sort()).toEqual(['AUTOGEN', 'CREWAI', 'HYBRID']);
    expect(r.confidence + r.alternatives.reduce((s, a) => s + a.probability, 0)).toBeCloseTo(1, 3);
    expect(r.rationale).toMatch(/^LANGGRAPH fits: the request reads as a known process \(signals of /);
    const [stored] = await outcomes.recent(as('t1', 'VIEWER'), 5);
    expect(stored).toMatchObject({ id: r.id, framework: 'LANGGRAPH', source: 'MODEL', outcome: 'PENDING' });
  });

  it('refuses empty and oversized descriptions with BAD_USER_INPUT and reads only the start of long ones', async () => {
    expect(await codeOf(recommender.recommend(as('t1', 'VIEWER'), { description: '  \n ' }))).toBe('BAD_USER_INPUT');
    const huge = recommender.recommend(as('t1', 'VIEWER'), { description: 'route each claim for approval. '.repeat(35_000) });
    await expect(huge).rejects.toThrow(/at most 100000 are accepted/);
    const long = await recommender.recommend(as('t1', 'VIEWER'), { description: `${CLAIM} ${'Then notify the customer. '.repeat(300)}` });
    expect(long.rationale).toMatch(/Only the first 4000 characters/);
  });

  it('ignores hint values it does not know instead of failing', async () => {
    const plain = await recommender.recommend(as('t1', 'VIEWER'), { description: CREW });
    const odd = await recommender.recommend(as('t1', 'VIEWER'), { description: CREW, hints: { type: 'banana', mode: 42, agents: [7, 'x'], extra: true, hierarchy: 'yes' } });
    expect(odd.framework).toBe(plain.framework);
    expect(odd.rationale).not.toMatch(/banana/);
  });

  it('applies a tenant admin pin for the predicted workflow type and says so, for that tenant only', async () => {
    expect(await codeOf(preferences.setPreference(as('t1', 'DEVELOPER'), { workflowType: 'state_machine', framework: 'HYBRID' }))).toBe('FORBIDDEN');
    await preferences.setPreference(as('t1', 'TENANT_ADMIN'), { workflowType: 'state_machine', framework: 'HYBRID' });
    expect(await preferences.list(as('t1', 'VIEWER'))).toMatchObject([{ workflowType: 'state_machine', framework: 'HYBRID' }]);

    const pinned = await recommender.recommend(as('t1', 'VIEWER'), { description: CLAIM });
    expect(pinned).toMatchObject({ framework: 'HYBRID', source: 'PREFERENCE' });
    expect(pinned.rationale).toMatch(/Pinned by this tenant's preference "state_machine" -> HYBRID, because the predicted workflow type is state_machine\. The model alone recommends LANGGRAPH/);
    expect(pinned.alternatives.map((a) => a.framework)).toContain('LANGGRAPH');

    expect((await recommender.recommend(as('t1', 'VIEWER'), { description: CREW })).framework).toBe('CREWAI');
    expect((await recommender.recommend(as('t2', 'VIEWER'), { description: CLAIM })).framework).toBe('LANGGRAPH');
    expect(await preferences.list(as('t2', 'VIEWER'))).toEqual([]);
  });

  it('applies a keyword pin when the request mentions the keyword as a word', async () => {
    await preferences.setPreference(as('t1', 'TENANT_ADMIN'), { workflowType: 'Market', framework: 'AUTOGEN' });
    const r = await recommender.recommend(as('t1', 'VIEWER'), { description: CREW });
    expect(r).toMatchObject({ framework: 'AUTOGEN', source: 'PREFERENCE' });
    expect(r.rationale).toMatch(/the request mentions "market"/);
    expect((await recommender.recommend(as('t1', 'VIEWER'), { description: 'Route supermarkets\' invoices for approval above $500.' })).source).toBe('MODEL');
  });

  it('keeps feedback per tenant: another tenant cannot see or rate a recommendation', async () => {
    const r = await recommender.recommend(as('t1', 'VIEWER'), { description: CLAIM });
    expect(await codeOf(outcomes.submitFeedback(as('t2', 'TENANT_ADMIN'), { recommendationId: r.id, rating: 1 }))).toBe('NOT_FOUND');
    expect(await codeOf(outcomes.submitFeedback(as('t1', 'VIEWER'), { recommendationId: r.id, rating: 5 }))).toBe('FORBIDDEN');
    expect(await codeOf(outcomes.submitFeedback(as('t1', 'DEVELOPER'), { recommendationId: r.id, rating: 9 }))).toBe('BAD_USER_INPUT');
    expect(await outcomes.submitFeedback(as('t1', 'DEVELOPER'), { recommendationId: r.id, rating: 4 })).toBe(true);

    const t1 = await outcomes.report(as('t1', 'VIEWER'));
    expect(t1.find((o) => o.framework === 'LANGGRAPH')).toEqual({ framework: 'LANGGRAPH', recommended: 1, withFeedback: 1, accepted: 1, overridden: 0, acceptanceRate: 1, meanRating: 4, runs: 0, runSuccessRate: null, meanRunLatencyMs: null });
    expect((await outcomes.report(as('t2', 'VIEWER'))).every((o) => o.recommended === 0 && o.withFeedback === 0)).toBe(true);
    expect(await outcomes.recent(as('t2', 'VIEWER'), 10)).toEqual([]);
  });

  it('records an override and replaces earlier feedback instead of counting it twice', async () => {
    const r = await recommender.recommend(as('t1', 'VIEWER'), { description: CLAIM });
    await outcomes.submitFeedback(as('t1', 'DEVELOPER'), { recommendationId: r.id, rating: 5 });
    await outcomes.submitFeedback(as('t1', 'DEVELOPER'), { recommendationId: r.id, rating: 2, correctFramework: 'HYBRID' });
    const [stored] = await outcomes.recent(as('t1', 'VIEWER'), 1);
    expect(stored).toMatchObject({ outcome: 'OVERRIDDEN', rating: 2, correctFramework: 'HYBRID' });
    expect((await outcomes.report(as('t1', 'VIEWER'))).find((o) => o.framework === 'LANGGRAPH')).toMatchObject({ withFeedback: 1, accepted: 0, overridden: 1, acceptanceRate: 0, meanRating: 2 });
  });

  it('explores only when the tenant turned exploration on, drawing frameworks by Thompson sampling', async () => {
    const unsure = 'Help with the quarterly numbers';
    for (let i = 0; i < 5; i++) expect((await recommender.recommend(as('t1', 'VIEWER'), { description: unsure })).source).toBe('MODEL');
    expect(await codeOf(preferences.setExplorationRate(as('t1', 'TENANT_ADMIN'), 1.5))).toBe('BAD_USER_INPUT');
    expect(await codeOf(preferences.setExplorationRate(as('t1', 'VIEWER'), 0.5))).toBe('FORBIDDEN');
    await preferences.setExplorationRate(as('t1', 'TENANT_ADMIN'), 1);
    const picks = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const r = await recommender.recommend(as('t1', 'VIEWER'), { description: unsure });
      expect(r.source).toBe('EXPLORATION');
      expect(r.rationale).toMatch(/Thompson sampling/);
      picks.add(r.framework);
    }
    // The model is unsure about this request, so sampling tries more than one framework.
    expect(picks.size).toBeGreaterThan(1);
    expect((await recommender.recommend(as('t2', 'VIEWER'), { description: unsure })).source).toBe('MODEL');
  });

  it('records how the recommended workflow ran, once, as accepted or overridden, in the report', async () => {
    const claim = await recommender.recommend(as('t1', 'VIEWER'), { description: CLAIM });
    const crew = await recommender.recommend(as('t1', 'VIEWER'), { description: CREW });
    expect(await outcomes.recordRun('t1', claim.recommendationId, { workflowId: 'w1', framework: claim.framework, status: 'SUCCEEDED', latencyMs: 1200, costUsd: 0 })).toBe(true);
    expect(await outcomes.recordRun('t1', claim.recommendationId, { workflowId: 'w1', framework: claim.framework, status: 'SUCCEEDED', latencyMs: 1200, costUsd: 0 })).toBe(false);
    expect(await outcomes.recordRun('t1', crew.recommendationId, { workflowId: 'w2', framework: 'LANGGRAPH', status: 'FAILED', latencyMs: 800, costUsd: 0 })).toBe(true);
    expect(await outcomes.recordRun('t2', crew.recommendationId, { workflowId: 'w2', framework: 'LANGGRAPH', status: 'FAILED', latencyMs: 800, costUsd: 0 })).toBe(false);
    const recent = await outcomes.recent(as('t1', 'VIEWER'), 10);
    expect(recent.find((r) => r.id === claim.recommendationId)?.outcome).toBe('ACCEPTED');
    expect(recent.find((r) => r.id === crew.recommendationId)?.outcome).toBe('OVERRIDDEN');
    const langgraph = (await outcomes.report(as('t1', 'VIEWER'))).find((o) => o.framework === 'LANGGRAPH')!;
    expect(langgraph).toMatchObject({ runs: 2, runSuccessRate: 0.5, meanRunLatencyMs: 1000 });
  });
});
