import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { z } from 'zod';
import { SERVICES } from '../../libs/stack/src/services.ts';
import { readEnv as readGatewayEnv } from '../../apps/gateway/src/env.ts';
import { envSchema as tenantsEnv } from '../../apps/tenants/src/env.ts';
import { envSchema as selectionEnv } from '../../apps/selection/src/env.ts';
import { envSchema as workflowsEnv } from '../../apps/workflows/src/env.ts';
import { envSchema as langgraphEnv } from '../../apps/engine-langgraph/src/env.ts';
import { envSchema as crewaiEnv } from '../../apps/engine-crewai/src/env.ts';
import { envSchema as autogenEnv } from '../../apps/engine-autogen/src/env.ts';
import { envSchema as billingEnv } from '../../apps/billing/src/env.ts';
import { envSchema as knowledgeEnv } from '../../apps/knowledge/src/env.ts';
import { llmConfigFromEnv } from '../../libs/llm/src/llm-config.ts';

/** What the deployment artefacts are checked against: the platform's own service list and env schemas. */
export { SERVICES };
export type ServiceName = (typeof SERVICES)[number]['name'];
export const SERVICE_NAMES = SERVICES.map((s) => s.name) as ServiceName[];
export const DEFAULT_PORT = Object.fromEntries(SERVICES.map((s) => [s.name, s.port])) as Record<ServiceName, number>;

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const INFRA = fileURLToPath(new URL('../', import.meta.url));
export const read = (path: string) => readFileSync(new URL(path, new URL('../../', import.meta.url)), 'utf8');

const SUBGRAPH_SCHEMAS: Partial<Record<ServiceName, z.ZodType>> = {
  tenants: tenantsEnv,
  selection: selectionEnv,
  workflows: workflowsEnv,
  'engine-langgraph': langgraphEnv,
  'engine-crewai': crewaiEnv,
  'engine-autogen': autogenEnv,
  billing: billingEnv,
  knowledge: knowledgeEnv,
};

/** The model client's variables (libs/llm/src/llm-config.ts), read by the engines and knowledge. */
export const LLM_VARS = [
  'LLM_PROVIDER', 'LLM_MODEL', 'LLM_EMBEDDING_MODEL', 'LLM_TIMEOUT_MS', 'LLM_MAX_RETRIES', 'LLM_MAX_TOKENS_FIELD',
  'LLM_BASE_URL', 'LLM_API_KEY', 'OPENAI_API_KEY', 'OPENAI_BASE_URL',
  'AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_API_VERSION', 'AZURE_OPENAI_API_KEY',
];
const MODEL_USERS: ServiceName[] = ['engine-langgraph', 'engine-crewai', 'engine-autogen', 'knowledge'];
const ENGINES: ServiceName[] = ['engine-langgraph', 'engine-crewai', 'engine-autogen'];

/** Tenants asks every data service for GDPR export and erasure (apps/tenants/src/main.ts DATA_SERVICES). */
export function tenantsDataServices(): string[] {
  const match = /const DATA_SERVICES = \[([^\]]*)\]/.exec(read('apps/tenants/src/main.ts'));
  if (!match) throw new Error('apps/tenants/src/main.ts no longer declares DATA_SERVICES; update infra/test/platform.ts');
  return [...match[1]!.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]!);
}

/**
 * Variables a service reads outside its env schema (straight from process.env), each with the file
 * that reads it, so a test fails when that code stops reading it.
 */
export function rawReads(service: ServiceName): Array<{ name: string; file: string; needle?: string }> {
  const reads: Array<{ name: string; file: string; needle?: string }> = [];
  if (MODEL_USERS.includes(service)) reads.push(...LLM_VARS.map((name) => ({ name, file: 'libs/llm/src/llm-config.ts' })));
  if (ENGINES.includes(service)) {
    reads.push({ name: 'SWITCHYARD_BILLING_URL', file: 'libs/engine-kit/src/budgeted-llm.ts' });
    for (const name of ['SWITCHYARD_TENANTS_URL', 'SWITCHYARD_KNOWLEDGE_URL', 'SWITCHYARD_TOOLS_PRIVATE_HOSTS', 'SWITCHYARD_MCP_STDIO_COMMANDS']) {
      reads.push({ name, file: 'libs/engine-kit/src/tenant-toolbox.ts' });
    }
  }
  if (service === 'tenants') {
    for (const peer of tenantsDataServices()) reads.push({ name: `SWITCHYARD_${peer.toUpperCase().replace(/-/g, '_')}_URL`, file: 'apps/tenants/src/main.ts', needle: 'process.env[serviceUrlVar(name)]' });
  }
  return reads;
}

/** Values that satisfy every required setting, for parsing a deployment's environment. */
const REQUIRED_PLACEHOLDERS: Record<string, string> = { SWITCHYARD_CONTEXT_SECRET: 'x'.repeat(48) };

/**
 * Which of `env`'s variables the service really reads: parsed through its zod schema (a variable
 * the schema does not know is stripped) plus the variables read outside it. Throws when the
 * environment is invalid for the service, with the schema's own message.
 */
export function checkServiceEnv(service: ServiceName, env: Record<string, string>): { known: Set<string>; unknown: string[] } {
  const full = { ...REQUIRED_PLACEHOLDERS, ...env };
  let parsedKeys: string[];
  if (service === 'gateway') {
    parsedKeys = Object.keys(readGatewayEnv(full));
  } else if (service === 'llm-simulator') {
    // Its schema lives in main.ts, which starts the server when imported; read its keys from the source.
    const source = read('apps/llm-simulator/src/main.ts');
    const body = /const envSchema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(source)?.[1] ?? '';
    parsedKeys = [...body.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
    if (parsedKeys.length === 0) throw new Error('could not read the llm-simulator env schema from apps/llm-simulator/src/main.ts');
  } else {
    const result = SUBGRAPH_SCHEMAS[service]!.safeParse(full);
    if (!result.success) throw new Error(`${service}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const shape = (SUBGRAPH_SCHEMAS[service] as unknown as { shape?: Record<string, unknown> }).shape;
    if (!shape) throw new Error(`${service}: its env schema is not a zod object any more; update infra/test/platform.ts`);
    parsedKeys = [...Object.keys(result.data as object), ...Object.keys(shape)];
  }
  if (MODEL_USERS.includes(service)) llmConfigFromEnv(full);
  const known = new Set([...parsedKeys, ...rawReads(service).map((r) => r.name)]);
  // Read by the image's start script and health check.
  known.add('SWITCHYARD_SERVICE');
  return { known, unknown: Object.keys(env).filter((name) => !known.has(name)) };
}

/** SWITCHYARD_<PEER>_URL → the peer's service name. */
export function peerOfVar(name: string): ServiceName | undefined {
  const match = /^SWITCHYARD_([A-Z_]+)_URL$/.exec(name);
  if (!match) return undefined;
  return SERVICE_NAMES.find((s) => s.toUpperCase().replace(/-/g, '_') === match[1]);
}

/**
 * Who calls whom: the peers whose URL variable each service reads. This is the call graph the
 * network policies and the compose file must agree with. Model calls (engines, knowledge → the
 * simulator or Azure OpenAI) are not in it.
 */
export function callGraph(): Record<ServiceName, ServiceName[]> {
  const graph = {} as Record<ServiceName, ServiceName[]>;
  for (const service of SERVICE_NAMES) {
    const { known } = checkServiceEnv(service, {});
    graph[service] = [...new Set([...known].map(peerOfVar).filter((p): p is ServiceName => p !== undefined && p !== service))].sort();
  }
  return graph;
}

export const MODEL_CALLERS = MODEL_USERS;

/** A Debian tool the infra tests use: present, or a reason to skip (or to fail under SWITCHYARD_REQUIRE_INFRA_TOOLS=1). */
export function debianTool(command: string, args: string[], aptPackage: string): { available: true } | { available: false; reason: string } {
  const probe = spawnSync(command, args, { encoding: 'utf8' });
  if (probe.status === 0) return { available: true };
  const reason = `${command} is not installed (apt-get install ${aptPackage})`;
  if (process.env.SWITCHYARD_REQUIRE_INFRA_TOOLS === '1') throw new Error(`${reason}; SWITCHYARD_REQUIRE_INFRA_TOOLS=1 requires it.`);
  return { available: false, reason };
}
