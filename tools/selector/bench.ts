import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { SqliteStore } from '@switchyard/store';
import { FrameworkModel, latestModelFile } from '../../apps/selection/src/model/framework-model.ts';
import { readLabeledJsonl } from '../../apps/selection/src/model/labeled-example.ts';
import { OutcomeManager } from '../../apps/selection/src/outcomes/outcome-manager.ts';
import { PreferenceManager } from '../../apps/selection/src/preferences/preference-manager.ts';
import { RecommendationManager } from '../../apps/selection/src/recommender/recommendation-manager.ts';
import { DATA_DIR, MODEL_DIR } from './paths.ts';
import { renderReport, type TrainingReport } from './report.ts';

// npm run selector:bench [-- --write]: latency of the recommender inside the service process. Measures
// the model alone and the whole recommendFramework path (pins, exploration lookup, storing the
// recommendation in SQLite); --write puts the numbers into the model's report.
const ROUNDS = 5;
const modelFile = latestModelFile(MODEL_DIR);
const model = FrameworkModel.load(modelFile);
const requests = [...readLabeledJsonl(`${DATA_DIR}/test.jsonl`), ...readLabeledJsonl(`${DATA_DIR}/train.jsonl`)];

function percentiles(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), requests: s.length };
}

for (const r of requests.slice(0, 50)) model.predict(r.description, r.hints);
const modelOnly: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const r of requests) {
    const t = performance.now();
    model.predict(r.description, r.hints);
    modelOnly.push(performance.now() - t);
  }
}

const store = new SqliteStore({ filename: ':memory:' });
const preferences = new PreferenceManager(store);
const outcomes = new OutcomeManager(store);
const recommender = new RecommendationManager(store, model, preferences, outcomes);
const context = { tenantId: 'bench', role: 'VIEWER' as const, keyId: null, subject: 'bench' };
await preferences.setPreference({ ...context, role: 'TENANT_ADMIN' }, { workflowType: 'warehouse', framework: 'LANGGRAPH' });
const service: number[] = [];
const serviceCpu: number[] = [];
for (let round = 0; round < 2; round++) {
  for (const r of requests) {
    const cpu = process.cpuUsage();
    const t = performance.now();
    await recommender.recommend(context, { description: r.description, hints: r.hints });
    service.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    serviceCpu.push((used.user + used.system) / 1000);
  }
}
await store.close();

const m = percentiles(modelOnly);
const s = percentiles(service);
const c = percentiles(serviceCpu);
const load = `load average ${loadavg()[0]!.toFixed(1)} on this machine while measuring`;
console.log(`${model.version}, Node ${process.version}, ${load}`);
console.log(`model.predict:       p50 ${m.p50Ms.toFixed(3)} ms, p95 ${m.p95Ms.toFixed(3)} ms, p99 ${m.p99Ms.toFixed(3)} ms (${m.requests} calls)`);
console.log(`recommend (service): p50 ${s.p50Ms.toFixed(3)} ms, p95 ${s.p95Ms.toFixed(3)} ms, p99 ${s.p99Ms.toFixed(3)} ms wall clock (${s.requests} calls, SQLite in memory)`);
console.log(`recommend CPU time:  p50 ${c.p50Ms.toFixed(3)} ms, p95 ${c.p95Ms.toFixed(3)} ms, p99 ${c.p99Ms.toFixed(3)} ms (what a call costs the process, without waiting for a core)`);

if (process.argv.includes('--write')) {
  const reportFile = modelFile.replace(/framework-recommender-(v\d+)\.json$/, 'report-$1.json');
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as TrainingReport;
  report.latency = { ...s, cpuP95Ms: c.p95Ms, measuredAt: `recommendFramework path, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${load}` };
  writeFileSync(reportFile, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(reportFile.replace(/\.json$/, '.md'), renderReport(report));
  console.log(`wrote the service latency into ${reportFile} and its .md`);
}
