import { buildSchema, type GraphQLSchema } from 'graphql';
import { OperationGenerator, type ValueMode } from './operation-generator.ts';
import { protocolCase, structuralQuery, type HttpCase } from './http-cases.ts';
import { checkHttpAnswer, checkWsOutcome, type ForeignData } from './response-check.ts';
import { SeededRandom } from './seeded-random.ts';
import { FRAMEWORKS, hostileDefinition } from './workflow-definitions.ts';
import { INJECTION_STRINGS } from './hostile-values.ts';
import { runWsCase, wsCase, type WsCase } from './ws-cases.ts';

/** The tenant the suite attacks with, and the other tenant whose data it must never see. */
export interface HostileInputTarget {
  gatewayUrl: string;
  /** SDL of the public API (libs/client/schema.graphql). */
  schemaSdl: string;
  /** TENANT_ADMIN key of the tenant under test. */
  apiKey: string;
  /** VIEWER key of the same tenant. */
  viewerKey: string;
  /** Ids of the tenant's own objects (workflows, documents, graph definitions). */
  ownIds: readonly string[];
  /** Another tenant: the ids of its objects (tried as arguments) and a marker string stored in its data. */
  otherTenant: ForeignData & { workflowId: string };
}

export interface HostileInputOptions {
  seed: number;
  /** HTTP requests: generated operations, structural, protocol and workflow-definition cases. */
  operations: number;
  /** graphql-ws conversations: hostile frames and generated subscriptions. */
  conversations: number;
  concurrency?: number;
  /** Root fields not generated (they would erase or lock out the tenant under test). */
  excludeFields?: ReadonlySet<string>;
}

export type RequestClass = ValueMode | 'structural' | 'protocol' | 'definition' | 'frames' | 'subscription';

export interface HostileInputFailure {
  /** Replays alone with the same seed: SeededRandom(seed).fork(index). */
  index: number;
  requestClass: RequestClass;
  kind: string;
  request: string;
  problems: string[];
}

export interface HostileInputReport {
  seed: number;
  byClass: Partial<Record<RequestClass, number>>;
  byKind: Record<string, number>;
  /** Root fields reached by generated operations, and those never generated. */
  fieldsCovered: number;
  fieldsMissed: string[];
  codes: Record<string, number>;
  /** Up to three distinct messages per code, to read what users are told. */
  sampleMessages: Record<string, string[]>;
  /** Workflows the definition cases started (they must end on their own). */
  startedWorkflows: string[];
  failures: HostileInputFailure[];
  durationMs: number;
}

type Planned = { index: number; requestClass: RequestClass; kind: string; http?: HttpCase; ws?: WsCase };

/**
 * Sends hostile requests to a running gateway and reports every answer that is not a clean
 * refusal. Each request has its own seeded generator (seed, index), so any failure replays alone.
 */
export async function runHostileInput(target: HostileInputTarget, options: HostileInputOptions): Promise<HostileInputReport> {
  const started = Date.now();
  const schema: GraphQLSchema = buildSchema(target.schemaSdl);
  const ids = [...target.ownIds, ...target.otherTenant.ids, 'wf_does_not_exist', 'doc-0', '00000000-0000-0000-0000-000000000000'];
  const generator = new OperationGenerator(schema, { ids, excludeFields: options.excludeFields, megabyteShare: 0.01 });
  const root = new SeededRandom(options.seed);
  const report: HostileInputReport = { seed: options.seed, byClass: {}, byKind: {}, fieldsCovered: 0, fieldsMissed: [], codes: {}, sampleMessages: {}, startedWorkflows: [], failures: [], durationMs: 0 };
  const covered = new Set<string>();
  const wsUrl = target.gatewayUrl.replace(/^http/, 'ws');

  const plan: Planned[] = [];
  for (let index = 0; index < options.operations; index++) plan.push(planHttp(index, root.fork(index)));
  for (let index = options.operations; index < options.operations + options.conversations; index++) plan.push(planWs(index, root.fork(index)));

  function authFor(random: SeededRandom): string {
    const roll = random.next();
    return roll < 0.85 ? `Bearer ${target.apiKey}` : roll < 0.95 ? `Bearer ${target.viewerKey}` : random.pick(['', 'Bearer sy_not_a_key']);
  }

  function graphqlPost(authorization: string, body: unknown): HttpCase {
    return { kind: '', method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify(body) };
  }

  function planHttp(index: number, random: SeededRandom): Planned {
    const roll = random.next();
    const authorization = authFor(random);
    if (roll < 0.8) {
      const mode: ValueMode = roll < 0.25 ? 'valid' : roll < 0.45 ? 'boundary' : roll < 0.65 ? 'malformed' : 'injection';
      const type = random.chance(0.03) ? 'subscription' : random.chance(0.55) ? 'query' : 'mutation';
      const operation = generator.generate(random, mode, type);
      covered.add(`${type}.${operation.field}`);
      const body = { query: operation.query, variables: operation.variables, ...(operation.operationName ? { operationName: operation.operationName } : {}) };
      return { index, requestClass: mode, kind: `${type}.${operation.field}`, http: graphqlPost(authorization, body) };
    }
    if (roll < 0.88) {
      const structural = structuralQuery(random);
      return { index, requestClass: 'structural', kind: structural.kind, http: graphqlPost(authorization, { query: structural.query, ...(structural.operationName !== undefined ? { operationName: structural.operationName } : {}) }) };
    }
    if (roll < 0.95) {
      const testCase = protocolCase(random, authorization || `Bearer ${target.apiKey}`);
      return { index, requestClass: 'protocol', kind: testCase.kind, http: testCase };
    }
    const framework = random.pick(FRAMEWORKS);
    const input = random.chance(0.5) ? random.pick(INJECTION_STRINGS) : 'Process insurance claim #12345';
    const body = {
      query: 'mutation Start($input: StartWorkflowInput!) { startWorkflow(input: $input) { id status framework } }',
      variables: { input: { input, framework, definition: hostileDefinition(random, framework) } },
    };
    return { index, requestClass: 'definition', kind: `definition.${framework}`, http: graphqlPost(`Bearer ${target.apiKey}`, body) };
  }

  function planWs(index: number, random: SeededRandom): Planned {
    if (random.chance(0.7)) {
      const testCase = wsCase(random, { valid: target.apiKey, otherTenantWorkflowId: target.otherTenant.workflowId });
      return { index, requestClass: 'frames', kind: `ws.${testCase.kind}`, ws: testCase };
    }
    const mode = random.pick<ValueMode>(['valid', 'boundary', 'malformed', 'injection']);
    const type = random.chance(0.8) ? 'subscription' : 'query';
    const operation = generator.generate(random, mode, type);
    covered.add(`${type}.${operation.field}`);
    const frames = [
      JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${target.apiKey}` } }),
      JSON.stringify({ id: '1', type: 'subscribe', payload: { query: operation.query, variables: operation.variables, operationName: operation.operationName ?? null } }),
    ];
    return { index, requestClass: 'subscription', kind: `ws.${type}.${operation.field}.${mode}`, ws: { kind: operation.field, protocol: 'graphql-transport-ws', frames } };
  }

  const record = (planned: Planned, requestText: string, result: { problems: string[]; codes: string[]; messages: Array<[string, string]> }) => {
    report.byClass[planned.requestClass] = (report.byClass[planned.requestClass] ?? 0) + 1;
    const kindKey = planned.kind.replace(/^(ws\.)?(query|mutation|subscription)\..*$/, '$1$2');
    report.byKind[kindKey] = (report.byKind[kindKey] ?? 0) + 1;
    for (const code of result.codes) report.codes[code] = (report.codes[code] ?? 0) + 1;
    for (const [code, message] of result.messages) {
      const samples = (report.sampleMessages[code] ??= []);
      const short = message.slice(0, 200);
      if (samples.length < 3 && !samples.includes(short)) samples.push(short);
    }
    if (result.problems.length) report.failures.push({ index: planned.index, requestClass: planned.requestClass, kind: planned.kind, request: requestText.slice(0, 600), problems: [...new Set(result.problems)] });
  };

  const runOne = async (planned: Planned) => {
    if (planned.http) {
      const testCase = planned.http;
      const requestText = typeof testCase.body === 'string' ? testCase.body : `${testCase.method} ?${testCase.search ?? ''}`;
      let status = 0;
      let text = '';
      try {
        const response = await fetch(`${target.gatewayUrl}${testCase.search !== undefined ? `?${testCase.search}` : ''}`, {
          method: testCase.method,
          headers: testCase.headers,
          body: testCase.method === 'GET' ? undefined : testCase.body,
          signal: AbortSignal.timeout(30_000),
        });
        status = response.status;
        text = await response.text();
      } catch (error) {
        record(planned, requestText, { problems: [`no answer: ${(error as Error).message}`], codes: [], messages: [] });
        return;
      }
      // OPTIONS answers CORS preflight without a body; every other answer must be GraphQL.
      if (testCase.method === 'OPTIONS' && status < 500) return record(planned, requestText, { problems: [], codes: [], messages: [] });
      const checked = checkHttpAnswer(status, text, requestText, target.otherTenant);
      if (planned.requestClass === 'definition' && status < 400) {
        const id = (JSON.parse(text) as { data?: { startWorkflow?: { id?: string } } }).data?.startWorkflow?.id;
        if (id) report.startedWorkflows.push(id);
      }
      record(planned, requestText, checked);
    } else if (planned.ws) {
      const outcome = await runWsCase(wsUrl, planned.ws);
      record(planned, planned.ws.frames.map((f) => (typeof f === 'string' ? f : `<binary ${f.length} bytes>`)).join('\n'), checkWsOutcome(planned.ws, outcome, target.otherTenant));
    }
  };

  const concurrency = options.concurrency ?? 6;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < plan.length) await runOne(plan[next++]!);
    }),
  );
  const roots = generator.rootFields();
  const all = [...roots.query.map((f) => `query.${f}`), ...roots.mutation.map((f) => `mutation.${f}`), ...roots.subscription.map((f) => `subscription.${f}`)];
  report.fieldsCovered = all.filter((f) => covered.has(f)).length;
  report.fieldsMissed = all.filter((f) => !covered.has(f));
  report.durationMs = Date.now() - started;
  return report;
}
