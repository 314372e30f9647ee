import { describe, expect, it } from 'vitest';
import { callGraph, read, rawReads, SERVICE_NAMES } from './platform.ts';

describe('the platform as the infra tests see it', () => {
  it('derives the call graph from the services’ settings', () => {
    const graph = callGraph();
    expect(graph.gateway).toEqual(SERVICE_NAMES.filter((s) => s !== 'gateway' && s !== 'llm-simulator').sort());
    expect(graph.workflows).toEqual(['billing', 'engine-autogen', 'engine-crewai', 'engine-langgraph', 'selection', 'tenants']);
    expect(graph['engine-langgraph']).toEqual(['billing', 'knowledge', 'tenants', 'workflows']);
    expect(graph['engine-autogen']).toEqual(['billing', 'knowledge', 'tenants']);
    expect(graph.billing).toEqual(['tenants', 'workflows']);
    expect(graph.knowledge).toEqual(['billing']);
    expect(graph.selection).toEqual([]);
    expect(graph['llm-simulator']).toEqual([]);
  });

  it('reads each variable read outside an env schema where the code really reads it', () => {
    for (const service of SERVICE_NAMES) {
      for (const { name, file, needle } of rawReads(service)) expect(read(file), `${file} reads ${name}`).toContain(needle ?? name);
    }
  });
});
