import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConsoleSetFrameworkPreferenceDocument,
  CreateTenantDocument,
  RecentRecommendationsDocument,
  RecommendFrameworkDocument,
  SubmitRecommendationFeedbackDocument,
  SelectionSeriesDocument,
  type SwitchyardClient,
} from '@switchyard/client';
import { startTestStack, type TestStack } from '@switchyard/testkit';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );
}

/** Selection acceptance per tenant through the gateway, on the real tenants and selection services. */
describe('Tenant.selectionSeries', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ only: ['gateway', 'tenants', 'selection'] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function newTenant(name: string): Promise<{ id: string; client: SwitchyardClient }> {
    const { createTenant } = await stack.client(stack.adminKey).request(CreateTenantDocument, { input: { name } });
    return { id: createTenant.tenant.id, client: stack.client(createTenant.secret) };
  }

  it('counts recommendations, acceptance, ratings and sources per bucket and framework, for the tenant itself only', async () => {
    const acme = await newTenant('Series Acme');
    const other = await newTenant('Series Other');
    const claim = { input: { description: 'Process insurance claim #12345 through intake, assessment and approval.' } };
    for (let i = 0; i < 3; i++) await acme.client.request(RecommendFrameworkDocument, claim);
    await acme.client.request(ConsoleSetFrameworkPreferenceDocument, { input: { workflowType: 'invoice', framework: 'AUTOGEN' } });
    await acme.client.request(RecommendFrameworkDocument, { input: { description: 'Match each invoice to its purchase order' } });
    await other.client.request(RecommendFrameworkDocument, claim);

    const { recentRecommendations } = await acme.client.request(RecentRecommendationsDocument, { first: 10 });
    expect(recentRecommendations).toHaveLength(4);
    const fromModel = recentRecommendations.filter((r) => r.source === 'MODEL');
    const pinned = recentRecommendations.find((r) => r.source === 'PREFERENCE')!;
    expect(pinned.framework).toBe('AUTOGEN');
    const modelFramework = fromModel[0]!.framework;
    // One kept with a 5, one overridden with a 1, one without feedback; the pinned one kept with a 4.
    await acme.client.request(SubmitRecommendationFeedbackDocument, { input: { recommendationId: fromModel[0]!.id, rating: 5 } });
    await acme.client.request(SubmitRecommendationFeedbackDocument, { input: { recommendationId: fromModel[1]!.id, rating: 1, correctFramework: modelFramework === 'CREWAI' ? 'AUTOGEN' : 'CREWAI' } });
    await acme.client.request(SubmitRecommendationFeedbackDocument, { input: { recommendationId: pinned.id, rating: 4 } });

    const { tenant } = await acme.client.request(SelectionSeriesDocument, { id: acme.id, bucket: 'MINUTE' });
    const series = tenant!.selectionSeries;
    const total = (framework: string, field: 'recommended' | 'accepted' | 'overridden' | 'pending') => series.filter((p) => p.framework === framework).reduce((n, p) => n + p[field], 0);
    expect(series.reduce((n, p) => n + p.recommended, 0)).toBe(4);
    expect([total(modelFramework, 'recommended'), total(modelFramework, 'accepted'), total(modelFramework, 'overridden'), total(modelFramework, 'pending')]).toEqual([3, 1, 1, 1]);
    const modelPoints = series.filter((p) => p.framework === modelFramework);
    if (modelPoints.length === 1) {
      // All three in one minute (the usual case): the rates are exact.
      expect(modelPoints[0]).toMatchObject({ acceptanceRate: 0.5, meanRating: 3 });
      expect(modelPoints[0]!.bySource).toEqual([{ source: 'MODEL', recommended: 3, accepted: 1, overridden: 1, acceptanceRate: 0.5 }]);
    }
    const autogen = series.filter((p) => p.framework === 'AUTOGEN').flatMap((p) => p.bySource);
    expect(autogen.find((s) => s.source === 'PREFERENCE')).toMatchObject({ recommended: 1, accepted: 1, overridden: 0, acceptanceRate: 1 });
    expect(series.every((p) => p.start.endsWith(':00.000Z'))).toBe(true);

    // The other tenant sees its one recommendation, never acme's; and cannot read acme's series at all.
    const mine = await other.client.request(SelectionSeriesDocument, { id: other.id, bucket: 'HOUR' });
    expect(mine.tenant!.selectionSeries.map((p) => [p.recommended, p.acceptanceRate])).toEqual([[1, null]]);
    const theirs = await other.client.request(SelectionSeriesDocument, { id: acme.id, bucket: 'HOUR' });
    expect(theirs.tenant).toBeNull();

    // A window outside the recommendations is empty; a bad window is refused.
    const old = await acme.client.request(SelectionSeriesDocument, { id: acme.id, from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z', bucket: 'HOUR' });
    expect(old.tenant!.selectionSeries).toEqual([]);
    expect(await codeOf(acme.client.request(SelectionSeriesDocument, { id: acme.id, from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' }))).toBe('BAD_USER_INPUT');
    expect(await codeOf(acme.client.request(SelectionSeriesDocument, { id: acme.id, from: '2020-01-01T00:00:00Z', bucket: 'MINUTE' }))).toBe('BAD_USER_INPUT');
  });
});
