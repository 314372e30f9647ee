import { ForbiddenError, type Role, type TenantContext, UnauthenticatedError } from '@switchyard/contracts';

const rank: Record<Role, number> = { VIEWER: 1, DEVELOPER: 2, TENANT_ADMIN: 3, PLATFORM_ADMIN: 4 };

/** What each role may do, from least to most: VIEWER reads, DEVELOPER runs, TENANT_ADMIN administers, PLATFORM_ADMIN runs the platform. */
export function hasRole(context: TenantContext, needed: Role): boolean {
  return rank[context.role] >= rank[needed];
}

export function requireRole(context: TenantContext, needed: Role, action: string): void {
  if (!hasRole(context, needed)) {
    throw new ForbiddenError(`${action} needs the ${needed} role or higher; this credential has ${context.role}. Ask a tenant admin for a key with that role.`);
  }
}

/** The caller's tenant, or an error for credentials that are not bound to one (platform admin keys). */
export function requireTenant(context: TenantContext, action: string): string {
  if (!context.tenantId) {
    if (context.role === 'PLATFORM_ADMIN') {
      throw new ForbiddenError(`${action} acts inside a tenant; a platform admin key has none. Use a key of the tenant instead.`);
    }
    throw new UnauthenticatedError();
  }
  return context.tenantId;
}
