/** Every subgraph service composed behind the gateway, with its default local port. */
export const SUBGRAPHS = [
  { name: 'tenants', port: 4001 },
  { name: 'selection', port: 4002 },
  { name: 'workflows', port: 4003 },
  { name: 'engine-langgraph', port: 4004 },
  { name: 'engine-crewai', port: 4005 },
  { name: 'engine-autogen', port: 4006 },
  { name: 'billing', port: 4007 },
  { name: 'knowledge', port: 4008 },
] as const;

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];
