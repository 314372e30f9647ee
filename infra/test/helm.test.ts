import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { callGraph, checkServiceEnv, DEFAULT_PORT, debianTool, INFRA, MODEL_CALLERS, read, SERVICE_NAMES, type ServiceName } from './platform.ts';

// No helm binary can be installed here; helm-render is Go's text/template with sprig (Helm's
// function library, from Debian) and Helm's own functions, built from infra/helm-render.
const CHART = join(INFRA, 'helm/switchyard');
const go = debianTool('go', ['version'], 'golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev golang-gopkg-yaml.v3-dev');
const sprigMissing = !existsSync('/usr/share/gocode/src/github.com/Masterminds/sprig/functions.go');
if (go.available && sprigMissing && process.env.SWITCHYARD_REQUIRE_INFRA_TOOLS === '1') {
  throw new Error('sprig is not installed (apt-get install golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev golang-gopkg-yaml.v3-dev); SWITCHYARD_REQUIRE_INFRA_TOOLS=1 requires it.');
}
const skipReason = !go.available ? go.reason : sprigMissing ? 'sprig is not installed (apt-get install golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev golang-gopkg-yaml.v3-dev)' : '';
const yamllint = debianTool('yamllint', ['--version'], 'yamllint');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered manifests of many kinds, checked field by field
}

let work = '';
let renderer = '';
const rendered: Record<'dev' | 'production', { text: string; manifests: Manifest[] }> = {} as never;

function render(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(renderer, [...args, CHART], { encoding: 'utf8' });
}

const VALIDATORS: Record<string, (m: Manifest) => void> = {
  'apps/v1/Deployment': (m) => new Deployment(m as never).validate(),
  'v1/Service': (m) => new Service(m as never).validate(),
  'v1/ServiceAccount': (m) => new ServiceAccount(m as never).validate(),
  'autoscaling/v2/HorizontalPodAutoscaler': (m) => new HorizontalPodAutoscaler(m as never).validate(),
  'policy/v1/PodDisruptionBudget': (m) => new PodDisruptionBudget(m as never).validate(),
  'networking.k8s.io/v1/NetworkPolicy': (m) => new NetworkPolicy(m as never).validate(),
  'networking.k8s.io/v1/Ingress': (m) => new Ingress(m as never).validate(),
  // A CRD of the Secrets Store CSI driver: no published model, so its shape is checked here.
  'secrets-store.csi.x-k8s.io/v1/SecretProviderClass': (m) => {
    const spec = m.spec;
    if (spec?.provider !== 'azure') throw new Error('provider must be azure');
    for (const [key, value] of Object.entries(spec.parameters ?? {})) if (typeof value !== 'string') throw new Error(`parameters.${key} must be a string`);
    const objects = parse(spec.parameters.objects) as { array: string[] };
    for (const entry of objects.array) {
      const object = parse(entry) as { objectName: string; objectType: string };
      if (!object.objectName || object.objectType !== 'secret') throw new Error(`bad object ${entry}`);
    }
    for (const secret of spec.secretObjects ?? []) {
      if (!secret.secretName || secret.type !== 'Opaque' || !Array.isArray(secret.data)) throw new Error('bad secretObjects entry');
      for (const d of secret.data) if (!objects.array.some((e) => (parse(e) as { objectName: string }).objectName === d.objectName)) throw new Error(`${d.objectName} is synced but not mounted`);
    }
  },
};

const byKind = (env: 'dev' | 'production', kind: string) => rendered[env].manifests.filter((m) => m.kind === kind);
const component = (m: Manifest) => (m.metadata.labels?.['app.kubernetes.io/component'] ?? '') as ServiceName;

describe.skipIf(skipReason !== '')(`infra/helm/switchyard${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'switchyard-helm-'));
    renderer = join(work, 'helm-render');
    const built = spawnSync('sh', [join(INFRA, 'helm-render/build.sh'), renderer], { encoding: 'utf8', env: { ...process.env, GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'switchyard-gocache') } });
    if (built.status !== 0) throw new Error(`building helm-render failed:\n${built.stderr}`);
    for (const env of ['dev', 'production'] as const) {
      const result = render(['--name', 'switchyard', '--namespace', 'switchyard', '-f', join(CHART, `values-${env}.yaml`)]);
      if (result.status !== 0) throw new Error(`rendering with values-${env}.yaml failed: ${result.stderr}`);
      const docs = parseAllDocuments(result.stdout);
      for (const doc of docs) if (doc.errors.length) throw new Error(`values-${env}.yaml rendered invalid YAML: ${doc.errors[0]!.message}`);
      rendered[env] = { text: result.stdout, manifests: docs.map((d) => d.toJS() as Manifest).filter(Boolean) };
    }
  }, 120_000);
  afterAll(() => work && rmSync(work, { recursive: true, force: true }));

  it('renders like Helm: values merged over the chart’s, required values enforced, <no value> never printed', () => {
    const missing = render(['-f', join(CHART, 'values-production.yaml'), '--set-string', 'store.cosmosEndpoint=']);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('store.cosmosEndpoint is required with store.driver=cosmos');
    const noVault = render(['--set-string', 'secrets.keyVault.name=']);
    expect(noVault.status).not.toBe(0);
    for (const env of ['dev', 'production'] as const) expect(rendered[env].text).not.toContain('<no value>');
    const overridden = render(['-f', join(CHART, 'values-production.yaml'), '--set-string', 'image.tag=1.2.3']);
    expect(overridden.stdout).toContain('image: "switchyardprodacr.azurecr.io/switchyard:1.2.3"');
  });

  for (const env of ['dev', 'production'] as const) {
    describe(`with values-${env}.yaml`, () => {
      it('renders only manifests that validate against the Kubernetes schemas', () => {
        expect(rendered[env].manifests.length).toBeGreaterThan(20);
        for (const manifest of rendered[env].manifests) {
          const validator = VALIDATORS[`${manifest.apiVersion}/${manifest.kind}`];
          expect(validator, `a validator for ${manifest.apiVersion} ${manifest.kind}`).toBeDefined();
          expect(() => validator!(manifest), `${manifest.kind} ${manifest.metadata.name}`).not.toThrow();
        }
      });

      it.skipIf(!yamllint.available)(`passes yamllint${yamllint.available ? '' : ` (skipped: ${yamllint.reason})`}`, () => {
        const file = join(work, `${env}.yaml`);
        writeFileSync(file, rendered[env].text);
        const lint = spawnSync('yamllint', ['-s', '-c', join(INFRA, '.yamllint.yaml'), file, join(CHART, 'values.yaml'), join(CHART, `values-${env}.yaml`), join(CHART, 'Chart.yaml')], { encoding: 'utf8' });
        expect(lint.status, lint.stdout + lint.stderr).toBe(0);
      });

      it('gives every enabled service a Deployment, Service, HorizontalPodAutoscaler and PodDisruptionBudget', () => {
        const expected = env === 'dev' ? SERVICE_NAMES : SERVICE_NAMES.filter((s) => s !== 'llm-simulator');
        for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy']) {
          expect(byKind(env, kind).map(component).sort(), kind).toEqual([...expected].sort());
        }
      });

      it('probes /healthz for liveness and /readyz for readiness, rolls out with no pod lost, runs locked down', () => {
        for (const deployment of byKind(env, 'Deployment')) {
          const name = component(deployment);
          const pod = deployment.spec.template.spec;
          const container = pod.containers[0];
          expect(container.livenessProbe.httpGet.path, name).toBe('/healthz');
          expect(container.readinessProbe.httpGet.path, name).toBe(name === 'llm-simulator' ? '/healthz' : '/readyz');
          expect(container.ports[0].containerPort, name).toBe(DEFAULT_PORT[name]);
          expect(deployment.spec.strategy.rollingUpdate.maxUnavailable, name).toBe(0);
          expect(container.resources.requests.cpu && container.resources.requests.memory && container.resources.limits.memory, name).toBeTruthy();
          expect(pod.securityContext.runAsNonRoot, name).toBe(true);
          expect(pod.securityContext.runAsUser, name).toBe(10001);
          expect(container.securityContext.readOnlyRootFilesystem, name).toBe(true);
          expect(container.securityContext.allowPrivilegeEscalation, name).toBe(false);
          expect(pod.securityContext.seccompProfile.type, name).toBe(name === 'engine-autogen' ? 'Unconfined' : 'RuntimeDefault');
          const tmp = pod.volumes.find((v: { name: string }) => v.name === 'tmp');
          expect(tmp.emptyDir, name).toBeDefined();
          expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
          expect(deployment.spec.template.metadata.labels['azure.workload.identity/use'], name).toBe('true');
        }
      });

      it('sets only variables each service reads, with values its env schema accepts, and every peer it calls', () => {
        const graph = callGraph();
        for (const deployment of byKind(env, 'Deployment')) {
          const name = component(deployment);
          const vars: Array<{ name: string; value?: string; valueFrom?: unknown }> = deployment.spec.template.spec.containers[0].env;
          const plain = Object.fromEntries(vars.map((v) => [v.name, v.value ?? (v.name === 'SWITCHYARD_CONTEXT_SECRET' ? 's'.repeat(48) : v.name === 'REDIS_URL' ? 'rediss://:key@cache.example:6380' : 'from-the-pod')]));
          const { unknown } = checkServiceEnv(name, plain);
          expect(unknown, `${name} sets variables it does not read`).toEqual([]);
          for (const peer of graph[name]) expect(plain[`SWITCHYARD_${peer.toUpperCase().replace(/-/g, '_')}_URL`], `${name} → ${peer}`).toBe(`http://switchyard-${peer}:${DEFAULT_PORT[peer]}/graphql`);
        }
      });

      it('admits traffic to each service only from the services that call it (the gateway: the ingress controller)', () => {
        const graph = callGraph();
        for (const policy of byKind(env, 'NetworkPolicy')) {
          const target = component(policy);
          expect(policy.spec.policyTypes).toEqual(['Ingress']);
          expect(policy.spec.podSelector.matchLabels['app.kubernetes.io/component']).toBe(target);
          const callers: string[] = [];
          let fromIngressController = false;
          let fromPrometheus = false;
          for (const rule of policy.spec.ingress ?? []) {
            expect(rule.ports).toEqual([{ port: DEFAULT_PORT[target], protocol: 'TCP' }]);
            for (const peer of rule.from) {
              const namespace = peer.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'];
              if (namespace === 'monitoring') fromPrometheus = true;
              else if (namespace) fromIngressController = namespace === 'ingress-nginx';
              else callers.push(peer.podSelector.matchLabels['app.kubernetes.io/component']);
            }
          }
          // Prometheus scrapes every service's /metrics, as the pods' annotations announce.
          expect(fromPrometheus, `Prometheus may scrape ${target}`).toBe(true);
          const enabled = byKind(env, 'Deployment').map(component);
          const expected = target === 'llm-simulator' ? MODEL_CALLERS.filter((c) => enabled.includes(c)) : SERVICE_NAMES.filter((caller) => graph[caller].includes(target));
          expect(callers.sort(), `callers of ${target}`).toEqual([...expected].sort());
          expect(fromIngressController, target).toBe(target === 'gateway');
        }
      });

      it("announces every pod's /metrics to Prometheus on the service's port", () => {
        for (const deployment of byKind(env, 'Deployment')) {
          const port = DEFAULT_PORT[component(deployment)];
          expect(deployment.spec.template.metadata.annotations, component(deployment)).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' });
          expect(deployment.spec.template.spec.containers[0].ports.map((p: { containerPort: number }) => p.containerPort)).toContain(port);
        }
      });

      it('reads secrets from a Secret, never from a value in the manifests', () => {
        for (const deployment of byKind(env, 'Deployment')) {
          for (const v of deployment.spec.template.spec.containers[0].env) {
            if (/SECRET|_KEY$|PASSWORD|REDIS_URL/.test(v.name) && v.name !== 'KEY_VAULT_KEY_ID') {
              expect(v.value, `${component(deployment)} ${v.name}`).toBeUndefined();
              expect(v.valueFrom.secretKeyRef.key).toBe(v.name);
            }
          }
        }
        expect(rendered[env].manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
        expect(rendered[env].text).not.toMatch(/AccountKey=|sy_[a-z0-9]{8,}_/);
      });
    });
  }

  it('production: at least two replicas of every service, PodDisruptionBudgets that keep one, zones spread', () => {
    for (const hpa of byKind('production', 'HorizontalPodAutoscaler')) expect(hpa.spec.minReplicas, component(hpa)).toBeGreaterThanOrEqual(2);
    for (const pdb of byKind('production', 'PodDisruptionBudget')) expect(pdb.spec.minAvailable, component(pdb)).toBeGreaterThanOrEqual(1);
    for (const deployment of byKind('production', 'Deployment')) {
      expect(deployment.spec.template.spec.topologySpreadConstraints[0].topologyKey).toBe('topology.kubernetes.io/zone');
      const env = Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((v: { name: string; value?: string }) => [v.name, v.value]));
      if (component(deployment) !== 'gateway') expect(env.STORE_DRIVER).toBe('cosmos');
      if (MODEL_CALLERS.includes(component(deployment))) expect(env.LLM_PROVIDER).toBe('azure-openai');
    }
  });

  it('production: Key Vault secrets through the CSI driver with the workload identity', () => {
    const [spc] = byKind('production', 'SecretProviderClass');
    expect(spc!.apiVersion).toBe('secrets-store.csi.x-k8s.io/v1');
    expect(spc!.spec.parameters.usePodIdentity).toBe('false');
    expect(spc!.spec.parameters.clientID).toMatch(/^[0-9a-f-]{36}$/);
    const synced = spc!.spec.secretObjects[0];
    const keys = synced.data.map((d: { key: string }) => d.key).sort();
    expect(keys).toEqual(['REDIS_URL', 'SWITCHYARD_CONTEXT_SECRET']);
    const [account] = byKind('production', 'ServiceAccount');
    expect(account!.metadata.annotations?.['azure.workload.identity/client-id']).toBe(spc!.spec.parameters.clientID);
    for (const deployment of byKind('production', 'Deployment')) {
      const pod = deployment.spec.template.spec;
      expect(pod.serviceAccountName).toBe(account!.metadata.name);
      expect(pod.volumes.find((v: { name: string }) => v.name === 'keyvault').csi.volumeAttributes.secretProviderClass).toBe(spc!.metadata.name);
      for (const v of pod.containers[0].env) if (v.valueFrom?.secretKeyRef) expect(v.valueFrom.secretKeyRef.name).toBe(synced.secretName);
    }
  });

  it('production: the gateway behind an Ingress that keeps WebSocket subscriptions open', () => {
    const [ingress] = byKind('production', 'Ingress');
    expect(ingress!.spec.rules[0].http.paths[0].backend.service.name).toBe('switchyard-gateway');
    expect(Number(ingress!.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(ingress!.spec.tls[0].secretName).toBe('switchyard-tls');
  });
});

void read;
