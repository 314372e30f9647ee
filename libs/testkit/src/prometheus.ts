import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A metric family as the Prometheus project's own parser (expfmt) reads it. */
export interface MetricFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  samples: Array<{ labels: Record<string, string>; value?: number | 'NaN' | '+Inf' | '-Inf'; count?: number; sum?: number | 'NaN' | '+Inf' | '-Inf'; buckets?: Array<{ le: string; count: number }> }>;
}

const SOURCE = fileURLToPath(new URL('../../../tools/prom-parse/', import.meta.url));
const GOCODE = '/usr/share/gocode/src/github.com/prometheus/common/expfmt';

/** Whether tools/prom-parse can be built here: Go and Debian's golang-github-prometheus-common-dev. */
export function prometheusParserAvailable(): boolean {
  return existsSync(GOCODE) && spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

let binary: string | null = null;

function parserBinary(): string {
  if (binary) return binary;
  const hash = createHash('sha256').update(readFileSync(join(SOURCE, 'main.go'))).digest('hex').slice(0, 12);
  const path = join(tmpdir(), `switchyard-prom-parse-${hash}`);
  if (!existsSync(path)) execFileSync('sh', [join(SOURCE, 'build.sh'), path], { stdio: ['ignore', 'ignore', 'pipe'] });
  binary = path;
  return path;
}

/**
 * Parse the Prometheus text exposition format with github.com/prometheus/common/expfmt (the parser
 * Prometheus scrapes with), built once from Debian's Go packages. Throws what the parser says on
 * malformed input.
 */
export function parsePrometheusText(text: string): MetricFamily[] {
  const result = spawnSync(parserBinary(), [], { input: text, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`Not valid Prometheus text format: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as MetricFamily[];
}
