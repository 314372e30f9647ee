import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { ServiceMetrics } from '../../libs/service-kit/src/metrics.ts';
import { INFRA, read } from './platform.ts';

interface Panel {
  id: number;
  title: string;
  type: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets: Array<{ refId: string; expr: string; legendFormat?: string }>;
}
const dashboard = JSON.parse(read('infra/grafana/switchyard-overview.json')) as { uid: string; title: string; panels: Panel[]; templating: { list: Array<{ name: string }> } };

/** Grafana's variables as Prometheus sees them after substitution. */
const substituted = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$tenant', '.*');

/** The metric names an expression reads, from the PromQL syntax tree; throws on a syntax error. */
function metricNames(expr: string): string[] {
  const tree = parser.parse(expr);
  const names: string[] = [];
  const errors: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(`at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(expr.slice(node.from, node.to));
    },
  });
  if (errors.length > 0) throw new Error(`PromQL syntax error ${errors.join('; ')} in ${expr}`);
  return names;
}

/** Every metric the platform exports: the runtime's and the GraphQL ones from ServiceMetrics, and each name a service registers. */
async function exportedMetrics(): Promise<Set<string>> {
  const names = new Set<string>();
  const add = (name: string, type: string) => {
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  };
  for (const metric of await new ServiceMetrics('probe').registry.getMetricsAsJSON()) add(metric.name, String(metric.type));
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      if (entry === 'node_modules' || entry === 'dist' || entry === 'generated') return [];
      return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
    });
  for (const file of [...walk(join(INFRA, '..', 'apps')), ...walk(join(INFRA, '..', 'libs'))]) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/\.(counter|gauge|histogram)(?:<[^>]*>)?\(\s*'(switchyard_[a-z0-9_]+)'/g)) add(match[2]!, match[1]!);
  }
  return names;
}

describe('the Grafana dashboard (infra/grafana)', () => {
  it('is a dashboard with a uid, a Prometheus data source variable and non-overlapping panels', () => {
    expect(dashboard.uid).toBe('switchyard-overview');
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'tenant']);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (let x = panel.gridPos.x; x < panel.gridPos.x + panel.gridPos.w; x++)
        for (let y = panel.gridPos.y; y < panel.gridPos.y + panel.gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${panel.title} overlaps another panel`).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  it("queries only metrics the services export, in PromQL that Prometheus's own grammar parses", async () => {
    const exported = await exportedMetrics();
    expect(exported.has('switchyard_nodejs_eventloop_lag_p99_seconds')).toBe(true);
    expect(exported.has('switchyard_model_cost_usd_total')).toBe(true);
    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        for (const name of metricNames(substituted(target.expr))) {
          expect(exported.has(name), `${panel.title}: ${name} is not exported by any service`).toBe(true);
          used.add(name);
        }
      }
    }
    expect(used.size).toBeGreaterThan(10);
  });

  it('refuses PromQL with a syntax error and names a metric no service exports, so the checks above can fail', async () => {
    expect(() => metricNames('sum by (service (rate(switchyard_graphql_requests_total[5m])')).toThrow(/PromQL syntax error/);
    expect((await exportedMetrics()).has('switchyard_no_such_metric_total')).toBe(false);
  });
});
