import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { CONSOLE_DIST, ensureConsoleBuild } from '../console/console-build.ts';

/**
 * The production build: every service (and the JavaScript sandbox's runner) bundled by esbuild into
 * one ES module per entry under dist/, in the sources' layout (apps/<service>/src/main.ts →
 * dist/apps/<service>/src/main.js), with the files the services read at run time copied beside
 * them, so `node dist/apps/<service>/src/main.js` runs without tsx. Packages from node_modules stay
 * imports (native addons, and one copy of graphql for Apollo); the workspace's own libraries are
 * bundled in. The web console's build goes to dist/apps/console/dist, where the compiled gateway
 * serves it from (built with Vite when apps/console/dist is missing or stale).
 */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = join(ROOT, 'dist');

export const ENTRY_POINTS = [
  'apps/gateway/src/main.ts',
  'apps/tenants/src/main.ts',
  'apps/selection/src/main.ts',
  'apps/workflows/src/main.ts',
  'apps/engine-langgraph/src/main.ts',
  'apps/engine-crewai/src/main.ts',
  'apps/engine-autogen/src/main.ts',
  'apps/billing/src/main.ts',
  'apps/knowledge/src/main.ts',
  'apps/llm-simulator/src/main.ts',
  'apps/cli/src/main.ts',
  'libs/code-sandbox/src/js-isolate-runner.ts',
];

/** Read at run time relative to the module that reads them, so they keep their place under dist/. */
const RUNTIME_FILES = [
  'supergraph.graphql',
  ...['tenants', 'selection', 'workflows', 'engine-langgraph', 'engine-crewai', 'engine-autogen', 'billing', 'knowledge'].map((subgraph) => `apps/${subgraph}/src/schema.graphql`),
  'apps/selection/model',
];

// Every entry sits three directories below dist/ (apps/<name>/src, libs/<name>/src), so one banner fits all.
const BANNER = [
  "import { createRequire as __syCreateRequire } from 'node:module';",
  'const require = __syCreateRequire(import.meta.url);',
  "const __syDistRoot = new URL('../../../', import.meta.url);",
].join('\n');

/** Workspace libraries are bundled; every other package is imported from node_modules at run time. */
const externalPackages: Plugin = {
  name: 'external-packages',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@switchyard/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * `import.meta.url` in a bundled module would name the bundle, not the module; each module gets its
 * own mirrored place under dist/ instead, so `new URL('./schema.graphql', import.meta.url)` still finds
 * the copied file, whichever bundle the module ends up in.
 */
const moduleUrls: Plugin = {
  name: 'module-urls',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const mirrored = relative(ROOT, args.path).replace(/\.ts$/, '.js').split('\\').join('/');
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(mirrored)}, __syDistRoot).href`), loader: 'ts' };
    });
  },
};

export async function buildServices(options: { quiet?: boolean; log?: (message: string) => void } = {}): Promise<{ entries: number; ms: number }> {
  const started = Date.now();
  rmSync(DIST, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: ENTRY_POINTS,
    outbase: ROOT,
    outdir: DIST,
    bundle: true,
    platform: 'node',
    target: 'node20.19',
    format: 'esm',
    sourcemap: 'linked',
    legalComments: 'none',
    banner: { js: BANNER },
    plugins: [externalPackages, moduleUrls],
    logLevel: options.quiet ? 'warning' : 'info',
  });
  for (const file of RUNTIME_FILES) {
    const from = join(ROOT, file);
    if (!existsSync(from)) throw new Error(`The build needs ${file}, which is missing.`);
    mkdirSync(dirname(join(DIST, file)), { recursive: true });
    cpSync(from, join(DIST, file), { recursive: true });
  }
  // Where the compiled gateway looks for it: new URL('../../console/dist/', dist/apps/gateway/src/main.js).
  await ensureConsoleBuild({ log: options.log });
  cpSync(CONSOLE_DIST, join(DIST, 'apps', 'console', 'dist'), { recursive: true });
  // Node reads the bundles as ES modules because of this, wherever dist/ is copied.
  writeFileSync(join(DIST, 'package.json'), `${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`);
  return { entries: ENTRY_POINTS.length, ms: Date.now() - started };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { entries, ms } = await buildServices({ log: console.log });
  console.log(`Built ${entries} bundles and the console into dist/ in ${ms} ms.`);
}
