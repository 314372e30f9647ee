import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate, ValidationSeverity } from 'dockerfile-utils';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { serviceNodeFlags } from '../../libs/stack/src/node-flags.ts';
import { ENTRY_POINTS } from '../../tools/build/build-services.ts';
import { DEFAULT_PORT, read, ROOT, SERVICE_NAMES } from './platform.ts';

const text = read('infra/docker/Dockerfile');
const dockerfile = DockerfileParser.parse(text);
const stages = dockerfile.getFROMs();
const runtimeStart = stages.at(-1)!.getRange().start.line;
const runtime = dockerfile.getInstructions().filter((i) => i.getRange().start.line >= runtimeStart);
const args = (i: Instruction) => i.getArguments().map((a) => a.getValue());
const keyword = (name: string) => runtime.filter((i) => i.getKeyword() === name);

describe('infra/docker/Dockerfile', () => {
  it('passes the Dockerfile linter (dockerfile-utils) without a problem', () => {
    const problems = validate(text, { deprecatedMaintainer: ValidationSeverity.ERROR, instructionCasing: ValidationSeverity.ERROR, emptyContinuationLine: ValidationSeverity.ERROR, instructionJSONInSingleQuotes: ValidationSeverity.ERROR, instructionCmdMultiple: ValidationSeverity.ERROR, instructionEntrypointMultiple: ValidationSeverity.ERROR, instructionHealthcheckMultiple: ValidationSeverity.ERROR });
    expect(problems.map((p) => `line ${p.range.start.line + 1}: ${p.message}`)).toEqual([]);
  });

  it('builds in stages and runs on a slim Node 22 image as uid 10001 in /app', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(stages.map((s) => s.getBuildStage())).toEqual(expect.arrayContaining(['prod-deps', 'build', 'runtime']));
    const base = stages.at(-1)!.getImageName();
    expect(base).toBe('node');
    expect(stages.at(-1)!.getImageTag()).toMatch(/bookworm-slim$/);
    expect(text).toMatch(/^ARG NODE_VERSION=22(\.\d+)*$/m);
    const users = keyword('USER');
    expect(users.map((u) => args(u).join(' ')).at(-1)).toBe('10001:10001');
    expect(keyword('WORKDIR').map((w) => args(w)[0])).toContain('/app');
    const userLine = users.at(-1)!.getRange().start.line;
    // Nothing after the switch to the service user may need root.
    expect(runtime.filter((i) => i.getRange().start.line > userLine && i.getKeyword() === 'RUN')).toEqual([]);
  });

  it('checks health on /healthz and starts the service the container is given', () => {
    const healthchecks = keyword('HEALTHCHECK');
    expect(healthchecks).toHaveLength(1);
    expect(healthchecks[0]!.getTextContent()).toContain('/app/healthcheck.mjs');
    expect(read('infra/docker/healthcheck.mjs')).toContain('/healthz');
    const entrypoint = keyword('ENTRYPOINT')[0]!;
    expect(args(entrypoint).join(' ')).toMatch(/tini.*start-service\.sh/);
    // Production dependencies only, from the lockfile; the service bundles from npm run build.
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).toMatch(/npm run build/);
    expect(text).toMatch(/COPY --from=prod-deps .*\/app\/node_modules \.\/node_modules/);
    expect(text).toMatch(/COPY --from=build .*\/app\/dist \.\/dist/);
  });

  it('gives the AutoGen sandbox bubblewrap, python3 and prlimit', () => {
    const installs = keyword('RUN').map((r) => r.getTextContent()).join('\n');
    for (const pkg of ['bubblewrap', 'python3', 'util-linux', 'tini']) expect(installs).toMatch(new RegExp(`apt-get install[^\\n]*\\b${pkg}\\b`));
  });

  it('serves the console’s files: npm run build puts them in dist/, which the runtime stage copies', () => {
    expect(text).toMatch(/^RUN npm run build$/m);
    expect(text).toMatch(/COPY --from=build .*\/app\/dist \.\/dist$/m);
    expect(read('tools/build/build-services.ts')).toMatch(/cpSync\(CONSOLE_DIST, join\(DIST, 'apps', 'console', 'dist'\)/);
    // Where the compiled gateway looks: new URL('../../console/dist/', <dist/apps/gateway/src/main.js>).
    expect(read('apps/gateway/src/main.ts')).toContain("new URL('../../console/dist/', import.meta.url)");
  });

  it('keeps local installs, builds and data out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['**/node_modules', 'dist', '.switchyard', '.git']) expect(ignored).toContain(entry);
    // npm ci needs every workspace's package.json, infra's too.
    expect(ignored).not.toContain('infra');
    expect(ignored).not.toContain('infra/package.json');
  });

  it('knows every service and its default port, in the start script and the health check', () => {
    const start = read('infra/docker/start-service.sh');
    const listed = /services="([^"]+)"/.exec(start)![1]!.split(' ').sort();
    expect(listed).toEqual([...SERVICE_NAMES].sort());
    const health = read('infra/docker/healthcheck.mjs');
    const ports = Object.fromEntries([...health.matchAll(/^\s+'?([a-z-]+)'?: (\d+),$/gm)].map((m) => [m[1], Number(m[2])]));
    expect(ports).toEqual(DEFAULT_PORT);
    for (const service of SERVICE_NAMES) expect(ENTRY_POINTS).toContain(`apps/${service}/src/main.ts`);
  });

  it('start-service.sh runs the named bundle with the secrets files as variables, and refuses an unknown service', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-start-'));
    try {
      mkdirSync(join(dir, 'bin'));
      mkdirSync(join(dir, 'secrets'));
      writeFileSync(
        join(dir, 'bin', 'node'),
        '#!/bin/sh\nif [ "$1" = --version ]; then echo "${FAKE_NODE_VERSION:-v20.19.0}"; exit 0; fi\necho "args=$*"\necho "secret=$SWITCHYARD_CONTEXT_SECRET"\necho "service=$SWITCHYARD_SERVICE"\necho "lower=${lower_case:-unset}"\n',
      );
      chmodSync(join(dir, 'bin', 'node'), 0o755);
      writeFileSync(join(dir, 'secrets', 'SWITCHYARD_CONTEXT_SECRET'), 'from-a-file');
      writeFileSync(join(dir, 'secrets', 'lower_case'), 'ignored');
      const env = { PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, SWITCHYARD_SECRETS_DIR: join(dir, 'secrets') };
      const byArg = spawnSync('sh', [join(ROOT, 'infra/docker/start-service.sh'), 'workflows'], { env, encoding: 'utf8' });
      expect(byArg.status, byArg.stderr).toBe(0);
      expect(byArg.stdout).toContain('args=--enable-source-maps /app/dist/apps/workflows/src/main.js');
      expect(byArg.stdout).toContain('secret=from-a-file');
      expect(byArg.stdout).toContain('service=workflows');
      expect(byArg.stdout).toContain('lower=unset');
      const byEnv = spawnSync('sh', [join(ROOT, 'infra/docker/start-service.sh')], { env: { ...env, SWITCHYARD_SERVICE: 'gateway' }, encoding: 'utf8' });
      expect(byEnv.stdout).toContain('/app/dist/apps/gateway/src/main.js');
      // Node 22.7 to 23 back AsyncLocalStorage with AsyncContextFrame (libs/stack's serviceNodeFlags).
      const on22 = spawnSync('sh', [join(ROOT, 'infra/docker/start-service.sh'), 'workflows'], { env: { ...env, FAKE_NODE_VERSION: 'v22.12.0' }, encoding: 'utf8' });
      expect(on22.stdout).toContain('args=--experimental-async-context-frame --enable-source-maps /app/dist/apps/workflows/src/main.js');
      // The script and the supervisor's serviceNodeFlags make the same choice for every version.
      for (const version of ['v20.19.0', 'v22.6.0', 'v22.7.0', 'v22.23.5', 'v23.0.0', 'v24.1.0', 'v25.2.0']) {
        const other = spawnSync('sh', [join(ROOT, 'infra/docker/start-service.sh'), 'workflows'], { env: { ...env, FAKE_NODE_VERSION: version }, encoding: 'utf8' });
        const flags = serviceNodeFlags(version).map((flag) => `${flag} `).join('');
        expect(other.stdout, version).toContain(`args=${flags}--enable-source-maps /app/dist/apps/workflows/src/main.js`);
      }
      const viaOptions = spawnSync('sh', [join(ROOT, 'infra/docker/start-service.sh'), 'workflows'], {
        env: { ...env, FAKE_NODE_VERSION: 'v22.12.0', NODE_OPTIONS: '--experimental-async-context-frame' },
        encoding: 'utf8',
      });
      expect(viaOptions.stdout).toContain('args=--enable-source-maps /app/dist/apps/workflows/src/main.js');
      const unknown = spawnSync('sh', [join(ROOT, 'infra/docker/start-service.sh'), 'postgres'], { env, encoding: 'utf8' });
      expect(unknown.status).toBe(64);
      expect(unknown.stderr).toContain('Unknown service "postgres"');
      const none = spawnSync('sh', [join(ROOT, 'infra/docker/start-service.sh')], { env, encoding: 'utf8' });
      expect(none.status).toBe(64);
      expect(none.stderr).toContain('set SWITCHYARD_SERVICE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the production image’s node_modules (npm ci --omit=dev)', () => {
  it('holds every package the service bundles import at run time', async () => {
    // The same bundling as npm run build (workspace libraries inlined, packages external), in memory.
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: ENTRY_POINTS,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20.19',
      write: false,
      outdir: join(tmpdir(), 'switchyard-bundle-check'),
      metafile: true,
      logLevel: 'silent',
      plugins: [{ name: 'external-packages', setup: (b) => b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('@switchyard/') ? undefined : { path: a.path, external: true })) }],
    });
    const packages = new Set<string>();
    for (const output of Object.values(result.metafile!.outputs)) {
      for (const imported of output.imports) {
        if (!imported.external || imported.path.startsWith('node:')) continue;
        const parts = imported.path.split('/');
        packages.add(imported.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
      }
    }
    const root = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const missing = [...packages].filter((name) => !root.dependencies[name]).sort();
    expect(missing, 'imported at run time but not a production dependency of the root package.json').toEqual([]);
    expect(packages.size).toBeGreaterThan(10);
  });
});
