import { z } from 'zod';
import { Role } from './enums.ts';

/** Who a request is for: carried from the gateway to subgraphs in a signed, short-lived header. */
export const TenantContext = z.object({
  /** null for a platform admin acting on no particular tenant. */
  tenantId: z.string().nullable(),
  role: Role,
  keyId: z.string().nullable(),
  /** The human or service the credential belongs to. */
  subject: z.string(),
});
export type TenantContext = z.infer<typeof TenantContext>;

export const CONTEXT_HEADER = 'x-switchyard-context';
