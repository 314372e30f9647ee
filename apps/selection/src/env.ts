import { z } from 'zod';
import { baseServiceEnv } from '@switchyard/service-kit';

export const envSchema = baseServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4002),
  /** A framework-recommender-v<N>.json to serve; the newest one in apps/selection/model by default. */
  SELECTION_MODEL_FILE: z.string().min(1).optional(),
});
