import { z } from 'zod';
import { baseServiceEnv } from '@switchyard/service-kit';

export const envSchema = baseServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4004),
  /** Graph steps a run may take before it is stopped (LangGraph's recursion limit). */
  LANGGRAPH_RECURSION_LIMIT: z.coerce.number().int().min(5).max(10_000).default(100),
});
