import { z } from 'zod';
import { baseServiceEnv, serviceUrlsSetting } from '@switchyard/service-kit';

export const envSchema = baseServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4008),
  /** Embedding calls are metered there; unset, they are not reported. */
  SWITCHYARD_BILLING_URL: serviceUrlsSetting().optional(),
});
