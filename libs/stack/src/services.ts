/** Every process of the platform, in start order, with its default port (`npm start` uses these). */
export const SERVICES = [
  { name: 'llm-simulator', port: 4010 },
  { name: 'tenants', port: 4001 },
  { name: 'selection', port: 4002 },
  { name: 'workflows', port: 4003 },
  { name: 'engine-langgraph', port: 4004 },
  { name: 'engine-crewai', port: 4005 },
  { name: 'engine-autogen', port: 4006 },
  { name: 'billing', port: 4007 },
  { name: 'knowledge', port: 4008 },
  { name: 'gateway', port: 4000 },
] as const;

export type ServiceName = (typeof SERVICES)[number]['name'];
