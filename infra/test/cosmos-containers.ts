import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CosmosStore } from '../../libs/store/src/cosmos-store.ts';
import type { CollectionOptions } from '../../libs/store/src/document-store.ts';
import { ROOT } from './platform.ts';

export interface ContainerDefinition {
  id: string;
  partitionKey: { paths: string[] };
  indexingPolicy?: { compositeIndexes?: Array<Array<{ path: string; order: string }>>; includedPaths?: unknown; excludedPaths?: unknown; vectorIndexes?: unknown };
  vectorEmbeddingPolicy?: unknown;
}

/** Which service's store a library's collections live in. */
const LIBRARY_OWNERS: Record<string, string> = { 'libs/langgraph-checkpoint': 'engine-langgraph' };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' || entry === 'test' ? [] : sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.includes('contract') ? [path] : [];
  });
}

/**
 * Every collection the services open, found in their sources: `<service>-<name>` with the options
 * it is opened with. A call this scan cannot read fails, so a new collection is never missed.
 */
export function declaredCollections(): Array<{ service: string; name: string; options: CollectionOptions; file: string }> {
  const found: Array<{ service: string; name: string; options: CollectionOptions; file: string }> = [];
  const roots = [...readdirSync(join(ROOT, 'apps')).map((app) => `apps/${app}`), ...Object.keys(LIBRARY_OWNERS)];
  for (const root of roots) {
    const service = LIBRARY_OWNERS[root] ?? root.slice('apps/'.length);
    let files: string[];
    try {
      files = sourceFiles(join(ROOT, root, 'src'));
    } catch {
      continue;
    }
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      const calls = [...source.matchAll(/\.collection<[^>]*>\(/g)].length;
      if (calls === 0) continue;
      const constants = Object.fromEntries([...source.matchAll(/^\s+(\w+): '([a-z_-]+)',$/gm)].map((m) => [m[1], m[2]]));
      const locals = Object.fromEntries([...source.matchAll(/const (\w+) = (\[\[[^;]*\]\]);/g)].map((m) => [m[1], m[2]]));
      const matches = [...source.matchAll(/\.collection<[^>]*>\(\s*(?:'([a-z_-]+)'|[A-Z_]+\.(\w+))\s*(?:,\s*(\{[^}]*\}))?\s*\)/g)];
      if (matches.length !== calls) throw new Error(`${relative(ROOT, file)}: a collection is opened in a way infra/test/cosmos-containers.ts cannot read`);
      for (const match of matches) {
        const name = match[1] ?? constants[match[2]!];
        if (!name) throw new Error(`${relative(ROOT, file)}: cannot resolve the collection name ${match[2]}`);
        let optionsText = match[3] ?? '{}';
        for (const [local, literal] of Object.entries(locals)) optionsText = optionsText.replace(new RegExp(`\\b${local}\\b`), literal);
        const options = new Function(`return (${optionsText});`)() as CollectionOptions;
        found.push({ service, name, options, file: relative(ROOT, file) });
      }
    }
  }
  return found;
}

/** What the Cosmos adapters send when they create a container, captured from the real adapter code. */
async function captureCreate(open: (fakeDatabase: unknown) => Promise<unknown>): Promise<ContainerDefinition> {
  let captured: ContainerDefinition | undefined;
  const fakeContainer = {
    item: () => ({ read: async () => ({ resource: undefined }) }),
    items: { upsert: async (doc: unknown) => ({ resource: doc }), query: () => ({ fetchAll: async () => ({ resources: [0] }) }) },
  };
  const fakeDatabase = {
    containers: {
      createIfNotExists: async (definition: ContainerDefinition) => {
        captured = definition;
        return { container: fakeContainer };
      },
      readAll: () => ({ fetchAll: async () => ({ resources: [] }) }),
    },
    container: () => fakeContainer,
  };
  await open(fakeDatabase);
  if (!captured) throw new Error('the adapter created no container');
  return JSON.parse(JSON.stringify(captured)) as ContainerDefinition;
}

const CONNECTION = { endpoint: 'https://account.documents.azure.com:443/', key: Buffer.from('key').toString('base64'), databaseId: 'switchyard' };

/** The container each declared collection needs, exactly as CosmosStore would create it. */
export async function storeContainers(): Promise<ContainerDefinition[]> {
  const definitions: ContainerDefinition[] = [];
  for (const { service, name, options } of declaredCollections()) {
    definitions.push(
      await captureCreate(async (fakeDatabase) => {
        const store = new CosmosStore({ ...CONNECTION, containerPrefix: `${service}-` });
        (store as unknown as { database: () => Promise<unknown> }).database = async () => fakeDatabase;
        await store.collection(name, options).get('tenant', 'id');
      }),
    );
  }
  return definitions;
}
