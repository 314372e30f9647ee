import { z } from 'zod';
import { baseServiceEnv, serviceUrlsSetting } from '@switchyard/service-kit';

export const envSchema = baseServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4005),
  /** The orchestrator, for tasks that run a sub-workflow on another engine. */
  SWITCHYARD_WORKFLOWS_URL: serviceUrlsSetting('http://127.0.0.1:4003/graphql'),
});
