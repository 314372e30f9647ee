import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, writeFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SERVICES, type ServiceName } from './services.ts';
import { freePort } from './infrastructure.ts';
import { serviceNodeFlags } from './node-flags.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface StackOptions {
  /** Where every service keeps its data (SQLite files) and where logs and pid files go. */
  stateDir: string;
  /** 'fixed': the default ports (4000...); 'free': any free loopback ports. */
  ports: 'fixed' | 'free';
  contextSecret?: string;
  adminKey?: string;
  devKey?: string;
  devTenant?: string;
  /** Key for envelope encryption of integration secrets (tenants service). */
  masterKey?: string;
  /** Extra env for every service (e.g. LLM_SIMULATOR_LATENCY_MS, WORKFLOWS_LEASE_MS). */
  env?: Record<string, string>;
  /** Restart a service that exits unexpectedly, as Kubernetes would. */
  restart?: boolean;
  /** Services to run (default all). */
  only?: ServiceName[];
  /**
   * 'sources' (default): TypeScript through tsx; 'compiled': the production build's bundles
   * (dist/apps/<service>/src/main.js, from `npm run build`), as the image runs them.
   */
  runtime?: 'sources' | 'compiled';
  /**
   * Processes per service (default 1). With more than one, every peer is given all of a service's
   * addresses (comma-separated SWITCHYARD_<SERVICE>_URL), and with fixed ports replica k listens on
   * the service's port + 100·k, leaving the default ports to a load balancer.
   */
  replicas?: Partial<Record<ServiceName, number>>;
  onEvent?: (message: string) => void;
}

export interface ServiceHandle {
  /** 'workflows' for the first process of a service, 'workflows#2' for a further replica. */
  name: string;
  service: ServiceName;
  port: number;
  url: string;
  child: ChildProcess | null;
  restarts: number;
  /** Set by kill(..., { restart: false }): the next exit is final. */
  stayDown?: boolean;
  /** It has announced readiness at least once: from then on it is restarted however often it dies. */
  everReady?: boolean;
}

function urlFor(name: ServiceName, port: number): string {
  return name === 'llm-simulator' ? `http://127.0.0.1:${port}/v1` : `http://127.0.0.1:${port}/graphql`;
}

/**
 * Runs the platform's services as child processes: each on its own port with its own data, pid
 * files under <stateDir>/run, logs under <stateDir>/logs, restarted with backoff when it dies
 * unexpectedly, and stopped with SIGTERM (then SIGKILL) on stop().
 */
export class ServiceSupervisor {
  readonly services = new Map<string, ServiceHandle>();
  private stopping = false;
  private readonly readyWaiters = new Map<string, Array<() => void>>();
  private baseEnv: Record<string, string> = {};

  constructor(private readonly options: StackOptions) {}

  /** The address clients use: a load balancer's when one was put in front, else the first gateway's. */
  publicGatewayUrl: string | undefined;

  get gatewayUrl(): string {
    return this.publicGatewayUrl ?? this.services.get('gateway')!.url;
  }

  /** Every process of a service, first replica first. */
  replicasOf(service: ServiceName): ServiceHandle[] {
    return [...this.services.values()].filter((s) => s.service === service);
  }

  async start(): Promise<void> {
    const { stateDir } = this.options;
    for (const dir of ['data', 'logs', 'run']) mkdirSync(join(stateDir, dir), { recursive: true });
    const selected = SERVICES.filter((s) => !this.options.only || this.options.only.includes(s.name));
    const replicated = Object.values(this.options.replicas ?? {}).some((count) => (count ?? 1) > 1);
    for (const service of selected) {
      const count = this.options.replicas?.[service.name] ?? 1;
      if (!Number.isInteger(count) || count < 1) throw new Error(`replicas of ${service.name} must be a whole number >= 1, not ${count}`);
      for (let k = 1; k <= count; k++) {
        const name = k === 1 ? service.name : `${service.name}#${k}`;
        const port = this.options.ports === 'fixed' ? service.port + (replicated ? 100 * k : 0) : await freePort();
        this.services.set(name, { name, service: service.name, port, url: urlFor(service.name, port), child: null, restarts: 0 });
      }
    }
    const urls = Object.fromEntries(
      selected
        .filter((s) => s.name !== 'llm-simulator')
        .map((s) => [`SWITCHYARD_${s.name.toUpperCase().replace(/-/g, '_')}_URL`, this.replicasOf(s.name).map((r) => r.url).join(',')]),
    );
    this.baseEnv = {
      NODE_ENV: process.env.NODE_ENV === 'production' ? 'production' : 'development',
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      SWITCHYARD_CONTEXT_SECRET: this.options.contextSecret ?? randomBytes(32).toString('base64url'),
      SWITCHYARD_DATA_DIR: resolve(stateDir, 'data'),
      ...(this.services.has('llm-simulator') && !process.env.LLM_PROVIDER && !this.options.env?.LLM_PROVIDER ? { LLM_PROVIDER: 'simulator', LLM_BASE_URL: this.services.get('llm-simulator')!.url } : {}),
      ...urls,
      ...this.options.env,
    };
    // Dependencies first: the model and tenants, then the subgraphs, the gateway last.
    const order: ServiceName[][] = [['llm-simulator', 'tenants'], ['selection', 'workflows', 'engine-langgraph', 'engine-crewai', 'engine-autogen', 'billing', 'knowledge'], ['gateway']];
    for (const layer of order) {
      await Promise.all(layer.flatMap((service) => this.replicasOf(service)).map((handle) => this.spawn(handle.name)));
    }
  }

  /** Start one more process of a service (another replica on its own port, same data); resolves with its name when ready. */
  async addReplica(service: ServiceName): Promise<string> {
    const count = this.replicasOf(service).length;
    const name = `${service}#${count + 1}`;
    const port = await freePort();
    this.services.set(name, { name, service, port, url: urlFor(service, port), child: null, restarts: 0 });
    await this.spawn(name);
    return name;
  }

  private envFor(name: string): NodeJS.ProcessEnv {
    const handle = this.services.get(name)!;
    const service = handle.service;
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.baseEnv, PORT: String(handle.port) };
    if (service === 'tenants') {
      if (this.options.adminKey) env.SWITCHYARD_BOOTSTRAP_ADMIN_KEY = this.options.adminKey;
      if (this.options.devKey) env.SWITCHYARD_BOOTSTRAP_DEV_KEY = this.options.devKey;
      if (this.options.devTenant) env.SWITCHYARD_BOOTSTRAP_DEV_TENANT = this.options.devTenant;
      if (this.options.masterKey && !env.SWITCHYARD_MASTER_KEY && !env.KEY_VAULT_KEY_ID) env.SWITCHYARD_MASTER_KEY = this.options.masterKey;
    }
    return env;
  }

  private spawn(name: string): Promise<void> {
    const handle = this.services.get(name)!;
    const { stateDir } = this.options;
    const log = openSync(join(stateDir, 'logs', `${name}.log`), 'a');
    const compiled = this.options.runtime === 'compiled';
    const entry = compiled ? join(ROOT, 'dist', 'apps', handle.service, 'src', 'main.js') : join(ROOT, 'apps', handle.service, 'src', 'main.ts');
    const spawnedAt = Date.now();
    const child = fork(entry, [], {
      cwd: ROOT,
      env: this.envFor(name),
      execArgv: [...serviceNodeFlags(), ...(compiled ? ['--enable-source-maps'] : ['--import', 'tsx'])],
      stdio: ['ignore', log, log, 'ipc'],
    });
    closeSync(log);
    handle.child = child;
    writeFileSync(join(stateDir, 'run', `${name}.pid`), `${child.pid}\n`);
    return new Promise<void>((resolveReady, reject) => {
      let ready = false;
      child.on('message', (message: { type?: string }) => {
        if (message?.type === 'ready' && !ready) {
          ready = true;
          handle.everReady = true;
          this.options.onEvent?.(`${name} ready on ${handle.url}`);
          for (const waiter of this.readyWaiters.get(name) ?? []) waiter();
          this.readyWaiters.delete(name);
          resolveReady();
        }
      });
      child.on('exit', (code, signal) => {
        if (handle.child === child) handle.child = null;
        rmSync(join(stateDir, 'run', `${name}.pid`), { force: true });
        if (this.stopping) return;
        const why = `${name} exited (${signal ?? `code ${code}`})`;
        if (handle.stayDown) {
          this.options.onEvent?.(`${why}; left down on request`);
          return;
        }
        // A service that never came up fails the start (its configuration is likely wrong); one that
        // ran before is restarted as long as it takes, like a Kubernetes pod in CrashLoopBackOff.
        if (!ready && !handle.everReady && handle.restarts >= 3) {
          reject(new Error(`${why} before it was ready; see ${join(stateDir, 'logs', `${name}.log`)}`));
          return;
        }
        if (this.options.restart === false) {
          this.options.onEvent?.(why);
          if (!ready) reject(new Error(`${why} before it was ready; see ${join(stateDir, 'logs', `${name}.log`)}`));
          return;
        }
        // Backoff starts over for a process that had been running for a while.
        if (ready && Date.now() - spawnedAt > 30_000) handle.restarts = 0;
        handle.restarts += 1;
        const delay = Math.min(250 * 2 ** Math.min(handle.restarts - 1, 5), 8000);
        this.options.onEvent?.(`${why}; restarting in ${delay} ms`);
        setTimeout(() => {
          if (this.stopping) return;
          this.spawn(name).then(ready ? () => undefined : resolveReady, ready ? () => undefined : reject);
        }, delay);
      });
    });
  }

  /** Resolve when the service (re)announces readiness. */
  waitReady(name: string): Promise<void> {
    return new Promise((resolveReady) => {
      const waiters = this.readyWaiters.get(name) ?? [];
      waiters.push(resolveReady);
      this.readyWaiters.set(name, waiters);
    });
  }

  /** Kill a service the hard way (as a crash would); it is restarted when restart is on. */
  kill(name: string, signal: NodeJS.Signals = 'SIGKILL', options: { restart?: boolean } = {}): void {
    const handle = this.services.get(name);
    if (!handle) return;
    if (options.restart === false) handle.stayDown = true;
    handle.child?.kill(signal);
  }

  /** Start again a service that was killed with `restart: false`; resolves when it is ready. */
  async revive(name: string): Promise<void> {
    const handle = this.services.get(name);
    if (!handle || handle.child) return;
    handle.stayDown = false;
    handle.restarts = 0;
    await this.spawn(name);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const children = [...this.services.values()].map((s) => s.child).filter((c): c is ChildProcess => !!c && c.exitCode === null);
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((done) => {
            const force = setTimeout(() => child.kill('SIGKILL'), 8000);
            child.once('exit', () => {
              clearTimeout(force);
              done();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}
