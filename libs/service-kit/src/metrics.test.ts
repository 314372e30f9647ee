import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from 'graphql-tag';
import { BadUserInputError, CONTEXT_HEADER } from '@switchyard/contracts';
import { ContextTokens } from './context-token.ts';
import { createLogger } from './logger.ts';
import { ServiceMetrics } from './metrics.ts';
import { startSubgraphServer, type RunningServer } from './subgraph-server.ts';
import { parsePrometheusText, prometheusParserAvailable } from '@switchyard/testkit/prometheus';

const parserMissing = !prometheusParserAvailable();
if (parserMissing && process.env.SWITCHYARD_REQUIRE_INFRA_TOOLS === '1') {
  throw new Error('The metrics tests parse /metrics with Prometheus\'s own parser: sudo apt-get install golang-go golang-github-prometheus-common-dev');
}

const tokens = new ContextTokens('a-test-secret-of-at-least-32-characters!');
let server: RunningServer;
const metrics = new ServiceMetrics('probe');

beforeAll(async () => {
  server = await startSubgraphServer({
    name: 'probe',
    typeDefs: gql`
      type Query {
        hello(name: String!): String!
        fail: String
      }
    `,
    resolvers: {
      Query: {
        hello: (_: unknown, args: { name: string }) => `hello ${args.name}`,
        fail: () => {
          throw new BadUserInputError('no');
        },
      },
    } as never,
    host: '127.0.0.1',
    port: 0,
    logger: createLogger('probe', 'silent'),
    tokens,
    metrics,
  });
});
afterAll(() => server?.close());

async function query(body: string) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await tokens.sign({ tenantId: 't1', role: 'DEVELOPER', keyId: null, subject: 'test' }) },
    body: JSON.stringify({ query: body }),
  });
  return response.json();
}

async function scrape() {
  const response = await fetch(server.url.replace('/graphql', '/metrics'));
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

describe.skipIf(parserMissing)('ServiceMetrics on a subgraph server', () => {
  it('serves requests, errors and duration per operation, and the runtime, in the Prometheus text format', async () => {
    for (let i = 0; i < 3; i++) await query(`query Greet${i} { hello(name: "x") }`);
    await query('{ fail }');
    const families = await scrape();
    const family = (name: string) => families.find((f) => f.name === name)!;

    const requests = family('switchyard_graphql_requests_total');
    expect(requests.type).toBe('COUNTER');
    // Labelled by the schema's root fields, not the client's free-text operation names.
    expect(requests.samples).toEqual(
      expect.arrayContaining([
        { labels: { service: 'probe', operation: 'query:hello', outcome: 'ok' }, value: 3 },
        { labels: { service: 'probe', operation: 'query:fail', outcome: 'error' }, value: 1 },
      ]),
    );
    expect(family('switchyard_graphql_errors_total').samples).toEqual([{ labels: { service: 'probe', operation: 'query:fail', code: 'BAD_USER_INPUT' }, value: 1 }]);
    const duration = family('switchyard_graphql_request_duration_seconds');
    expect(duration.type).toBe('HISTOGRAM');
    const hello = duration.samples.find((m) => m.labels.operation === 'query:hello')!;
    expect(hello.count).toBe(3);
    expect(hello.sum).toBeGreaterThan(0);
    expect(hello.buckets!.at(-1)).toEqual({ le: '+Inf', count: 3 });
    // The Node.js runtime, event-loop lag among it.
    expect(family('switchyard_nodejs_eventloop_lag_seconds').type).toBe('GAUGE');
    expect(family('switchyard_process_resident_memory_bytes').samples[0]!.value).toBeGreaterThan(0);
  });

  it("takes a service's own counters and gauges, a gauge read when scraped", async () => {
    metrics.counter('switchyard_probe_things_total', 'Things.', ['kind']).inc({ kind: 'a' }, 2);
    let open = 7;
    metrics.gauge('switchyard_probe_open', 'Open things.', [], (gauge) => gauge.set(open));
    expect(metrics.counter('switchyard_probe_things_total', 'Things.', ['kind'])).toBe(metrics.counter('switchyard_probe_things_total', 'Things.', ['kind']));
    let families = await scrape();
    expect(families.find((f) => f.name === 'switchyard_probe_things_total')!.samples).toEqual([{ labels: { service: 'probe', kind: 'a' }, value: 2 }]);
    expect(families.find((f) => f.name === 'switchyard_probe_open')!.samples).toEqual([{ labels: { service: 'probe' }, value: 7 }]);
    open = 3;
    families = await scrape();
    expect(families.find((f) => f.name === 'switchyard_probe_open')!.samples[0]!.value).toBe(3);
  });

  it('is refused by the parser when malformed, so the checks above cannot pass on garbage', () => {
    expect(() => parsePrometheusText('switchyard_x{service="a" 1\n')).toThrow(/Not valid Prometheus text format/);
  });
});
