import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql } from 'graphql';
import { gql } from 'graphql-tag';
import type { Role } from '@switchyard/contracts';
import { createLogger } from '@switchyard/service-kit';
import { SqliteStore } from '@switchyard/store';
import { FrameworkModel, latestModelFile } from '../model/framework-model.ts';
import { MODEL_DIR } from '../model/model-files.ts';
import { OutcomeManager } from '../outcomes/outcome-manager.ts';
import { SelectionSeries } from '../outcomes/selection-series.ts';
import { PreferenceManager } from '../preferences/preference-manager.ts';
import { RecommendationManager } from '../recommender/recommendation-manager.ts';
import { buildResolvers } from './index.ts';

const store = new SqliteStore({ filename: ':memory:' });
const preferences = new PreferenceManager(store);
const outcomes = new OutcomeManager(store);
const recommendations = new RecommendationManager(store, FrameworkModel.load(latestModelFile(MODEL_DIR)), preferences, outcomes);
const schema = buildSubgraphSchema({
  typeDefs: gql(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8')),
  resolvers: buildResolvers({ recommendations, preferences, outcomes, series: new SelectionSeries(store) }) as never, // the subgraph's resolver map type, as in startSubgraphServer
});
const logger = createLogger('selection-test', 'silent');
afterAll(() => store.close());

async function run(role: Role, source: string, variableValues?: Record<string, unknown>) {
  const result = await graphql({ schema, source, variableValues, contextValue: { tenant: { tenantId: 'acme', role, keyId: 'k', subject: 's' }, logger } });
  return { data: result.data as Record<string, any> | null | undefined, codes: (result.errors ?? []).map((e) => e.extensions.code) }; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads arbitrary result shapes
}

const RECOMMEND = 'query($input: RecommendFrameworkInput!) { recommendFramework(input: $input) { framework confidence alternatives { framework probability } rationale modelVersion } }';

describe('selection GraphQL API', () => {
  it('answers recommendFramework with the fields the workflows service reads', async () => {
    const { data, codes } = await run('VIEWER', RECOMMEND, { input: { description: 'Analyse our sales data with code and have a strategy team write an executive report with recommendations.', hints: null } });
    expect(codes).toEqual([]);
    expect(data!.recommendFramework).toMatchObject({ framework: 'HYBRID', modelVersion: expect.stringMatching(/^framework-recommender-v\d+$/) });
    expect(data!.recommendFramework.alternatives).toHaveLength(3);
  });

  it('rejects an empty description with BAD_USER_INPUT', async () => {
    expect((await run('VIEWER', RECOMMEND, { input: { description: ' ' } })).codes).toEqual(['BAD_USER_INPUT']);
  });

  it('lets a tenant admin pin a framework, a viewer read pins and rate nothing, and reports outcomes', async () => {
    const set = 'mutation { setFrameworkPreference(input: { workflowType: "invoice", framework: HYBRID }) { workflowType framework updatedAt } }';
    expect((await run('DEVELOPER', set)).codes).toEqual(['FORBIDDEN']);
    expect((await run('TENANT_ADMIN', set)).data!.setFrameworkPreference).toMatchObject({ workflowType: 'invoice', framework: 'HYBRID' });
    expect((await run('VIEWER', '{ frameworkPreferences { workflowType framework } }')).data!.frameworkPreferences).toEqual([{ workflowType: 'invoice', framework: 'HYBRID' }]);

    const pinned = await run('VIEWER', RECOMMEND, { input: { description: 'Match each invoice to its purchase order' } });
    expect(pinned.data!.recommendFramework.framework).toBe('HYBRID');
    const recent = await run('VIEWER', '{ recentRecommendations(first: 1) { id framework source outcome } }');
    expect(recent.data!.recentRecommendations[0]).toMatchObject({ framework: 'HYBRID', source: 'PREFERENCE', outcome: 'PENDING' });

    const feedback = 'mutation($id: ID!) { submitRecommendationFeedback(input: { recommendationId: $id, rating: 2, correctFramework: LANGGRAPH }) }';
    const id = recent.data!.recentRecommendations[0].id;
    expect((await run('VIEWER', feedback, { id })).codes).toEqual(['FORBIDDEN']);
    expect((await run('DEVELOPER', feedback, { id })).data!.submitRecommendationFeedback).toBe(true);
    const report = await run('VIEWER', '{ recommendationReport { framework recommended withFeedback accepted overridden acceptanceRate meanRating } }');
    expect(report.data!.recommendationReport.find((o: { framework: string }) => o.framework === 'HYBRID')).toMatchObject({ withFeedback: 1, overridden: 1, acceptanceRate: 0, meanRating: 2 });

    expect((await run('TENANT_ADMIN', 'mutation { setExplorationRate(rate: 0.1) }')).data!.setExplorationRate).toBe(0.1);
  });
});
