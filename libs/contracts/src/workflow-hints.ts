import { z } from 'zod';

/** Optional structured hints, mirroring the blueprint's workflow_config. Evidence for the recommender, not rules. */
export const WorkflowHints = z
  .object({
    type: z.string().max(64).nullish(),
    complexity: z.string().max(32).nullish(),
    agents: z.array(z.string().max(64)).max(50).nullish(),
    hierarchy: z.boolean().nullish(),
    mode: z.string().max(32).nullish(),
    codeExecution: z.boolean().nullish(),
    hybrid: z.boolean().nullish(),
    needsResearch: z.boolean().nullish(),
    needsCode: z.boolean().nullish(),
  })
  .strict();
export type WorkflowHints = z.infer<typeof WorkflowHints>;
