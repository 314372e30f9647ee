import { parseArgs } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Measurement = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g';

export interface BenchOptions {
  quick: boolean;
  only: Set<Measurement>;
  out: string;
  /** The steady offered load of (a) and (b), requests per second. */
  rate: number;
  warmupSeconds: number;
  seconds: number;
  search: {
    startRate: number;
    stepSeconds: number;
    stepWarmupSeconds: number;
    budgetSeconds: number;
    /** The startWorkflow search creates real workflows, so it gets its own (smaller) budget. */
    startWorkflowBudgetSeconds: number;
    maxRate: number;
    precision: number;
  };
  generatorConnections: number;
  simulatorLatencyMs: number;
  eventWorkflows: number;
  overheadWorkflows: number;
  subscriptions: { connections: number; perConnection: number; workflows: number; holdSeconds: number; probeWorkflows: number };
  /** Longest wait for started workflows to finish before the next phase. */
  drainSeconds: number;
  /** (g): how many workflows to have in flight at once, how many clients start them, how many are followed. */
  scale: { workflows: number; startConcurrency: number; probes: number; timeoutSeconds: number };
  /** When set, every platform process writes a V8 CPU profile here when it stops (node --cpu-prof). */
  cpuProfileDir?: string;
}

const USAGE = `npm run bench -- [--quick] [--only a,b,c,d,e,f] [--out FILE]
  [--rate 100] [--seconds 20] [--warmup 5]
  [--step-seconds 8] [--step-warmup 2] [--search-budget 100] [--start-search-budget 60] [--max-rate 6400]
  [--connections 64] [--latency-ms 200] [--event-workflows 50] [--overhead-workflows 50]
  [--sub-connections 50] [--subs-per-connection 100] [--sub-workflows 500] [--hold 10] [--drain 90]
  [--scale 10000] [--scale-clients 64] [--scale-probes 100] [--scale-timeout 1800]
                     --scale N alone runs only (g), N workflows at once with a 2 s model (unless --latency-ms),
                     and writes docs/benchmarks-scale.md
  [--cpu-prof DIR]   every platform process writes a .cpuprofile to DIR when the stack stops, and (with d)
                     a .window.cpuprofile of the (d) batch alone;
                     summarise one with: node --import tsx tools/bench/cpu-profile-summary.ts FILE

--quick is a ~2-minute smoke run with short windows and fewer workflows and subscriptions; it
writes to ${join(tmpdir(), 'switchyard-bench-quick.md')} unless --out is given. The full run writes docs/benchmarks.md.`;

/** Parse the command line; --quick changes the defaults, explicit flags still win. */
export function readOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      'step-seconds': { type: 'string' },
      'step-warmup': { type: 'string' },
      'search-budget': { type: 'string' },
      'start-search-budget': { type: 'string' },
      'max-rate': { type: 'string' },
      connections: { type: 'string' },
      'latency-ms': { type: 'string' },
      'event-workflows': { type: 'string' },
      'overhead-workflows': { type: 'string' },
      'sub-connections': { type: 'string' },
      'subs-per-connection': { type: 'string' },
      'sub-workflows': { type: 'string' },
      hold: { type: 'string' },
      drain: { type: 'string' },
      'cpu-prof': { type: 'string' },
      scale: { type: 'string' },
      'scale-clients': { type: 'string' },
      'scale-probes': { type: 'string' },
      'scale-timeout': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const num = (name: keyof typeof values, full: number, short: number): number => {
    const raw = values[name];
    if (raw === undefined) return quick ? short : full;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${String(name)} must be a non-negative number, not "${String(raw)}"\n\n${USAGE}`);
    return value;
  };
  // --scale alone is its own run: (g) only, with a slow model, and a report of its own.
  const scaleOnly = values.scale !== undefined && values.only === undefined;
  const only = new Set((values.only ?? (scaleOnly ? 'g' : 'a,b,c,d,e,f')).split(',').map((s) => s.trim()) as Measurement[]);
  for (const m of only) if (!['a', 'b', 'c', 'd', 'e', 'f', 'g'].includes(m)) throw new Error(`--only takes letters a-g, not "${m}"\n\n${USAGE}`);
  return {
    quick,
    only,
    out: values.out ?? (quick ? join(tmpdir(), 'switchyard-bench-quick.md') : scaleOnly ? 'docs/benchmarks-scale.md' : 'docs/benchmarks.md'),
    rate: num('rate', 100, 100),
    warmupSeconds: num('warmup', 5, 2),
    seconds: num('seconds', 20, 5),
    search: {
      startRate: num('rate', 100, 100),
      stepSeconds: num('step-seconds', 8, 3),
      stepWarmupSeconds: num('step-warmup', 2, 1),
      budgetSeconds: num('search-budget', 100, 25),
      startWorkflowBudgetSeconds: num('start-search-budget', 60, 15),
      maxRate: num('max-rate', 6400, 6400),
      precision: 0.1,
    },
    generatorConnections: num('connections', 64, 64),
    simulatorLatencyMs: num('latency-ms', scaleOnly ? 2000 : 200, scaleOnly ? 2000 : 200),
    eventWorkflows: num('event-workflows', 50, 10),
    overheadWorkflows: num('overhead-workflows', 50, 10),
    subscriptions: {
      connections: num('sub-connections', 50, 10),
      perConnection: num('subs-per-connection', 100, 50),
      workflows: num('sub-workflows', 500, 50),
      holdSeconds: num('hold', 10, 3),
      probeWorkflows: 10,
    },
    drainSeconds: num('drain', 90, 30),
    scale: { workflows: num('scale', 10_000, 500), startConcurrency: num('scale-clients', 64, 32), probes: num('scale-probes', 100, 20), timeoutSeconds: num('scale-timeout', 1800, 600) },
    ...(values['cpu-prof'] ? { cpuProfileDir: values['cpu-prof'] } : {}),
  };
}
