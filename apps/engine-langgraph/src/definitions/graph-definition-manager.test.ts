import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient } from '@switchyard/llm';
import { startSimulator } from '@switchyard/llm-simulator';
import { SqliteStore } from '@switchyard/store';
import type { TenantContext } from '@switchyard/contracts';
import { LangGraphEngine } from '../runtime/langgraph-engine.ts';
import { runOnce } from '../testing/engine-fixtures.ts';
import { LocalSandboxExecutor } from '@switchyard/code-sandbox';
import { TenantToolbox } from '@switchyard/engine-kit';
import { filterListTool } from '../tools/filter-list.ts';
import { GraphDefinitionManager } from './graph-definition-manager.ts';
import { GraphDefinitionStore } from './graph-definition-store.ts';

const as = (role: TenantContext['role'], tenantId = 'acme'): TenantContext => ({ tenantId, role, keyId: 'k', subject: 's' });
const greeting = (text: string) => ({ state: { out: {} }, entry: 'say', nodes: { say: { kind: 'set', values: { out: text }, next: 'END' } }, output: '{{out}}' });

describe('GraphDefinitionManager', () => {
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  const store = new SqliteStore({ filename: ':memory:' });
  const manager = new GraphDefinitionManager(new GraphDefinitionStore(store), new TenantToolbox({ subject: 'service:engine-langgraph', codeExecutor: new LocalSandboxExecutor(), engineTools: [filterListTool] }));

  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, latencyMs: 0 });
  });
  afterAll(async () => {
    await simulator.close();
  });

  it('stores versions per tenant, and workflows run the latest or a named version', async () => {
    const v1 = await manager.create(as('DEVELOPER'), { name: 'greeter', definition: greeting('hello v1') });
    const v2 = await manager.update(as('DEVELOPER'), v1.definitionId, greeting('hello v2'));
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect((await manager.list(as('VIEWER'))).map((d) => [d.name, d.version])).toEqual([['greeter', 2]]);
    expect((await manager.get(as('VIEWER'), v1.definitionId, 1))?.definition).toEqual(greeting('hello v1'));

    const engine = new LangGraphEngine({ llm: createLlmClient({ provider: 'simulator', baseUrl: simulator.url }), store, recursionLimit: 50 });
    expect((await runOnce(engine, 'g-latest', 'hi', { definition: { definitionId: v1.definitionId } })).result).toMatchObject({ output: 'hello v2' });
    expect((await runOnce(engine, 'g-v1', 'hi', { definition: { definitionId: v1.definitionId, version: 1 } })).result).toMatchObject({ output: 'hello v1' });
    // Another tenant can neither read it nor run it.
    expect(await manager.get(as('VIEWER', 'globex'), v1.definitionId)).toBeNull();
    expect(await manager.list(as('VIEWER', 'globex'))).toEqual([]);
    expect((await runOnce(engine, 'g-other', 'hi', { tenantId: 'globex', definition: { definitionId: v1.definitionId } })).result).toMatchObject({ code: 'BAD_DEFINITION' });

    await manager.delete(as('DEVELOPER'), v1.definitionId);
    expect(await manager.get(as('VIEWER'), v1.definitionId, 1)).toBeNull();
    // A workflow that already started keeps the graph it started with.
    expect((await runOnce(engine, 'g-latest', 'hi')).result).toMatchObject({ output: 'hello v2' });
  });

  it('rejects invalid definitions with the bad path, and writes by viewers', async () => {
    const bad = { ...greeting('x'), entry: 'sya' };
    await expect(manager.create(as('DEVELOPER'), { name: 'bad', definition: bad })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: expect.stringContaining('definition.entry: no node named "sya" (did you mean "say"?)'),
    });
    await expect(manager.create(as('VIEWER'), { name: 'x', definition: greeting('x') })).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await expect(manager.update(as('DEVELOPER'), 'missing', greeting('x'))).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });
});
