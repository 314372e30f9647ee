import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { format } from '@cdktf/hcl-tools';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { storeContainers, type ContainerDefinition } from './cosmos-containers.ts';
import { INFRA, read } from './platform.ts';

// No terraform binary can be installed here: the files are parsed with HashiCorp's HCL parser
// (@cdktf/hcl2json, WebAssembly) and formatted with its hclwrite formatter (@cdktf/hcl-tools),
// the code behind `terraform fmt`.
const DIR = join(INFRA, 'terraform');
const files = [...readdirSync(DIR).filter((f) => f.endsWith('.tf')), ...readdirSync(join(DIR, 'environments')).map((f) => `environments/${f}`)];

type Block = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- HCL as JSON, checked attribute by attribute
const config: { resource: Record<string, Record<string, Block[]>>; variable: Record<string, Block[]>; output: Record<string, Block[]>; locals: Block[] } = { resource: {}, variable: {}, output: {}, locals: [] };
const tfvars: Record<string, Block> = {};
let expectedContainers: ContainerDefinition[] = [];

const resource = (type: string, name: string): Block => {
  const block = config.resource[type]?.[name]?.[0];
  if (!block) throw new Error(`no resource ${type}.${name}`);
  return block;
};

beforeAll(async () => {
  for (const file of files) {
    const parsed = (await parseHcl(file, readFileSync(join(DIR, file), 'utf8'))) as Block;
    if (file.endsWith('.tfvars')) {
      tfvars[file] = parsed;
      continue;
    }
    for (const [type, byName] of Object.entries(parsed.resource ?? {})) config.resource[type] = { ...config.resource[type], ...(byName as Record<string, Block[]>) };
    Object.assign(config.variable, parsed.variable ?? {});
    Object.assign(config.output, parsed.output ?? {});
    config.locals.push(...(parsed.locals ?? []));
  }
  expectedContainers = await storeContainers();
});

describe('infra/terraform', () => {
  it('is formatted as terraform fmt formats it', async () => {
    for (const file of files) {
      const text = readFileSync(join(DIR, file), 'utf8');
      expect(await format(text), `${file} (run the hclwrite formatter)`).toBe(text);
    }
  });

  it('creates every container the services open, with partition key /tenantId and the adapter’s composite indexes', () => {
    const declared = config.locals.find((l) => l.store_containers)!.store_containers as Record<string, Array<Array<{ path: string; order: string }>>>;
    expect(Object.keys(declared).sort()).toEqual(expectedContainers.map((c) => c.id).sort());
    for (const container of expectedContainers) {
      expect(container.partitionKey.paths).toEqual(['/tenantId']);
      const normalise = (indexes: Array<Array<{ path: string; order: string }>>) => indexes.map((index) => index.map(({ path, order }) => ({ path, order })));
      expect(normalise(declared[container.id]!), container.id).toEqual(normalise(container.indexingPolicy!.compositeIndexes!));
    }
    const store = resource('azurerm_cosmosdb_sql_container', 'store');
    expect(store.for_each).toBe('${local.store_containers}');
    expect(store.partition_key_paths).toEqual(['/tenantId']);
    expect(store.indexing_policy[0].included_path[0].path).toBe('/*');
    expect(store.indexing_policy[0].dynamic.composite_index[0].for_each).toBe('${each.value}');
    expect(expectedContainers.map((c) => c.id)).toEqual(expect.arrayContaining(['workflows-workflows', 'workflows-workflow_events', 'tenants-api_keys', 'engine-langgraph-lg_checkpoints', 'billing-budget_ledgers']));
  });

  it('creates the knowledge vector container as CosmosVectorIndex expects it', () => {
    const adapter = read('libs/store/src/cosmos-vector-index.ts');
    const knowledge = read('apps/knowledge/src/main.ts');
    expect(knowledge).toMatch(/service: 'knowledge' \},\s*'chunk-vectors',?\s*\)/);
    expect(adapter).toMatch(/path: '\/embedding', dataType: VectorEmbeddingDataType\.Float32, distanceFunction: VectorEmbeddingDistanceFunction\.Cosine/);
    expect(adapter).toMatch(/excludedPaths: \[\{ path: '\/embedding\/\*' \}\]/);
    expect(adapter).toMatch(/VectorIndexType\.QuantizedFlat/);
    const vectors = resource('azapi_resource', 'knowledge_vectors');
    expect(vectors.name).toBe('knowledge-chunk-vectors-d${var.embedding_dimensions}');
    const body = vectors.body.properties.resource;
    expect(body.partitionKey.paths).toEqual(['/tenantId']);
    expect(body.vectorEmbeddingPolicy.vectorEmbeddings).toEqual([{ path: '/embedding', dataType: 'float32', distanceFunction: 'cosine', dimensions: '${var.embedding_dimensions}' }]);
    expect(body.indexingPolicy.vectorIndexes).toEqual([{ path: '/embedding', type: 'quantizedFlat' }]);
    expect(body.indexingPolicy.excludedPaths).toEqual([{ path: '/embedding/*' }]);
    // text-embedding-3-small, the default LLM_EMBEDDING_MODEL, returns 1536 numbers.
    expect(read('libs/llm/src/llm-config.ts')).toContain("LLM_EMBEDDING_MODEL: z.string().default('text-embedding-3-small')");
    expect(config.variable.embedding_dimensions![0]!.default).toBe(1536);
    const account = resource('azurerm_cosmosdb_account', 'main');
    expect(account.capabilities.map((c: Block) => c.name)).toContain('EnableNoSQLVectorSearch');
  });

  it('runs Cosmos DB in three regions with session consistency, automatic failover and continuous backup', () => {
    const account = resource('azurerm_cosmosdb_account', 'main');
    expect(account.consistency_policy[0].consistency_level).toBe('Session');
    expect(account.backup[0]).toMatchObject({ type: 'Continuous' });
    expect(account.automatic_failover_enabled).toBe(true);
    expect(account.local_authentication_disabled).toBe(true);
    expect(account.dynamic.geo_location[0].for_each).toBe('${var.cosmos_regions}');
    expect(account.dynamic.geo_location[0].content[0].failover_priority).toBe('${geo_location.key}');
    expect(config.variable.cosmos_regions![0]!.validation[0].condition).toBe('${length(var.cosmos_regions) >= 3}');
    for (const [file, vars] of Object.entries(tfvars)) {
      expect(new Set(vars.cosmos_regions).size, file).toBeGreaterThanOrEqual(3);
      expect(vars.cosmos_regions[0], `${file}: the primary region is the cluster's`).toBe(vars.location);
    }
  });

  it('gives AKS workload identity, the Key Vault CSI add-on and an autoscaled node pool across zones', () => {
    const aks = resource('azurerm_kubernetes_cluster', 'main');
    expect(aks.oidc_issuer_enabled).toBe(true);
    expect(aks.workload_identity_enabled).toBe(true);
    expect(aks.key_vault_secrets_provider[0].secret_rotation_enabled).toBe(true);
    expect(aks.network_profile[0].network_policy).toBeTruthy();
    const pool = resource('azurerm_kubernetes_cluster_node_pool', 'apps');
    expect(pool.auto_scaling_enabled).toBe(true);
    expect(pool.zones).toEqual(['1', '2', '3']);
  });

  it('federates the identity with the chart’s service account and grants it what the services use', () => {
    const credential = resource('azurerm_federated_identity_credential', 'workload');
    expect(credential.issuer).toBe('${azurerm_kubernetes_cluster.main.oidc_issuer_url}');
    // The chart names its service account after the release; docs/deploy.md installs release switchyard in namespace switchyard.
    expect(read('infra/helm/switchyard/templates/_helpers.tpl')).toMatch(/define "switchyard.serviceAccountName"[\s\S]*?default \(include "switchyard.fullname" \.\)/);
    expect(credential.subject).toBe('system:serviceaccount:switchyard:switchyard');
    expect(read('docs/deploy.md')).toContain('helm upgrade --install switchyard infra/helm/switchyard --namespace switchyard');
    const roles = Object.values(config.resource.azurerm_role_assignment!).map((b) => b[0]!.role_definition_name);
    expect(roles).toEqual(expect.arrayContaining(['Key Vault Secrets User', 'Key Vault Crypto User', 'Cognitive Services OpenAI User', 'AcrPull']));
    expect(resource('azurerm_cosmosdb_sql_role_assignment', 'workload').role_definition_id).toMatch(/00000000-0000-0000-0000-000000000002$/);
  });

  it('provides what the chart’s production values name: Key Vault secrets, the model deployments, the outputs', () => {
    const values = parseYaml(read('infra/helm/switchyard/values.yaml')) as { secrets: { keyVault: { objects: Record<string, string> } } };
    const production = parseYaml(read('infra/helm/switchyard/values-production.yaml')) as { model: { chatModel: string; embeddingModel: string } };
    const created = Object.values(config.resource.azurerm_key_vault_secret!).map((b) => b[0]!.name);
    const byHand = read('docs/deploy.md');
    for (const secret of Object.keys(values.secrets.keyVault.objects)) expect(created.includes(secret) || byHand.includes(`--name ${secret}`), secret).toBe(true);
    const deployments = Object.keys(config.variable.openai_deployments![0]!.default);
    expect(deployments).toEqual(expect.arrayContaining([production.model.chatModel, production.model.embeddingModel]));
    expect(resource('azurerm_cognitive_account', 'openai').kind).toBe('OpenAI');
    for (const output of ['acr_login_server', 'cosmos_endpoint', 'openai_endpoint', 'key_vault_name', 'key_vault_key_id', 'azure_tenant_id', 'workload_identity_client_id']) {
      expect(config.output[output], output).toBeDefined();
    }
  });

  it('has Redis over TLS, ACR, Log Analytics with Application Insights, and Front Door routing /* to the ingress', () => {
    const redis = resource('azurerm_redis_cache', 'main');
    expect(redis.non_ssl_port_enabled).toBe(false);
    expect(resource('azurerm_key_vault_secret', 'redis_url').value).toMatch(/^rediss:\/\//);
    expect(resource('azurerm_container_registry', 'main').admin_enabled).toBe(false);
    expect(resource('azurerm_application_insights', 'main').workspace_id).toBe('${azurerm_log_analytics_workspace.main.id}');
    const route = resource('azurerm_cdn_frontdoor_route', 'gateway');
    expect(route.patterns_to_match).toEqual(['/*']);
    expect(route.supported_protocols).toEqual(['Https']);
    expect(route.cache).toBeUndefined();
    expect(resource('azurerm_cdn_frontdoor_origin_group', 'gateway').health_probe[0].path).toBe('/readyz');
  });
});
