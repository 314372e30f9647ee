import { z } from 'zod';
import { baseServiceEnv, serviceUrlsSetting } from '@switchyard/service-kit';

export const envSchema = baseServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4008),
  /** Embedding calls are metered there; unset, they are not reported. */
  SWITCHYARD_BILLING_URL: serviceUrlsSetting().optional(),
  /**
   * Where chunk vectors live; unset, beside the store (STORE_DRIVER). sqlite keeps them in the local
   * SQLite file even on a Cosmos store: for a single replica whose Cosmos account (or a local
   * Cosmos-compatible server) has no vector search. Never with SWITCHYARD_MODE=distributed.
   */
  VECTOR_INDEX_DRIVER: z.enum(['sqlite', 'cosmos']).optional(),
});
