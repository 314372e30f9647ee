import { z } from 'zod';
import { baseServiceEnv, serviceUrlsSetting } from '@switchyard/service-kit';

export const envSchema = baseServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4004),
  /** Graph steps a run may take before it is stopped (LangGraph's recursion limit); a definition may set its own. */
  LANGGRAPH_RECURSION_LIMIT: z.coerce.number().int().min(5).max(10_000).default(100),
  /** The orchestrator's GraphQL endpoint: child workflows (`workflow` nodes) and forks start there. */
  SWITCHYARD_WORKFLOWS_URL: serviceUrlsSetting('http://127.0.0.1:4003/graphql'),
  /** How often streamed model output is reported as a MODEL_OUTPUT event while a model writes. */
  LANGGRAPH_MODEL_OUTPUT_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(500),
});
