import { createHash } from 'node:crypto';

/**
 * A change that makes cached authentication answers stale, as the tenants service's credential feed
 * sends it to the gateways (decision 025): a key revoked or rotated, or a tenant suspended, deleted,
 * erased or given other limits. A tenant is named by its digest, so the record kept for a while in
 * the platform's partition holds nothing that names an erased tenant.
 */
export interface CredentialChange {
  keyId?: string;
  tenantDigest?: string;
}

export const credentialTenantDigest = (tenantId: string): string => createHash('sha256').update(`credential-change:${tenantId}`).digest('base64url').slice(0, 32);
