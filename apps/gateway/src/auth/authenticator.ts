import { createHash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { TenantContext, UnauthenticatedError, UnavailableError, type Role } from '@switchyard/contracts';
import { ServiceEndpoints, type ContextTokens } from '@switchyard/service-kit';
import { CONTEXT_HEADER } from '@switchyard/contracts';

const GATEWAY_CONTEXT: TenantContext = { tenantId: null, role: 'PLATFORM_ADMIN', keyId: null, subject: 'service:gateway' };
const NEGATIVE_CACHE_MS = 1000;

/** OpenID Connect (Microsoft Entra ID) bearer tokens, verified against the issuer's JWKS. */
export interface OidcOptions {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** The claim naming the tenant (Entra: "tid"). */
  tenantClaim: string;
  /** The claim listing app roles (Entra: "roles"). */
  rolesClaim: string;
  /** Map of claim values to Switchyard tenant ids; without an entry the claim value is the tenant id. */
  tenantMap: Record<string, string>;
}

const ROLE_NAMES: Record<string, Role> = {
  'switchyard.tenantadmin': 'TENANT_ADMIN',
  tenant_admin: 'TENANT_ADMIN',
  'switchyard.developer': 'DEVELOPER',
  developer: 'DEVELOPER',
  'switchyard.viewer': 'VIEWER',
  viewer: 'VIEWER',
};
const ROLE_RANK: Role[] = ['VIEWER', 'DEVELOPER', 'TENANT_ADMIN'];

/**
 * Turns a presented credential ("Bearer <api key>") into a tenant context by asking the tenants
 * service, which owns keys. Answers are cached briefly by the key's fingerprint so the slow hash is
 * not paid per request; a revoked key stops working within the cache time. Requests with the same
 * credential that arrive while its lookup is in flight wait for that lookup instead of starting
 * their own; a request that arrives after it finished asks again (unless the answer is cached), so
 * with no cache time a revocation applies to the next request.
 */
/** A tenant's rate limit as the tenants service answered it with the tenant's authentication (decision 023). */
export interface TenantRateLimit {
  plan: string;
  requestsPerSecond: number;
  burst: number;
}

export class Authenticator {
  /** The latest rate limit the tenants service sent for each tenant, by tenant id. */
  private readonly rateLimits = new Map<string, TenantRateLimit>();
  private readonly cache = new Map<string, { context: TenantContext | null; until: number }>();
  private readonly lookups = new Map<string, Promise<TenantContext | null>>();

  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | null;
  private readonly tenants: ServiceEndpoints;

  constructor(
    tenants: ServiceEndpoints | string | readonly string[],
    private readonly tokens: ContextTokens,
    private readonly cacheMs: number,
    private readonly oidc: OidcOptions | null = null,
  ) {
    this.tenants = ServiceEndpoints.of(tenants);
    this.jwks = oidc ? createRemoteJWKSet(new URL(oidc.jwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5000 }) : null;
  }

  async authenticate(authorization: string | undefined | null): Promise<TenantContext> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    if (!match) throw new UnauthenticatedError();
    const credential = match[1]!;
    const key = createHash('sha256').update(credential).digest('base64url');
    const cached = this.cache.get(key);
    let context = cached && cached.until > Date.now() ? cached.context : undefined;
    if (context === undefined) context = await this.lookUp(key, credential);
    if (!context) throw new UnauthenticatedError('The API key is unknown, revoked or expired. Create a new key or check the Authorization header.');
    return context;
  }

  /** The tenant's rate limit from its plan and overrides, as of its latest authentication; null before any. */
  rateLimitOf(tenantId: string): TenantRateLimit | null {
    return this.rateLimits.get(tenantId) ?? null;
  }

  /** One lookup per credential fingerprint at a time, shared by the requests that arrive meanwhile. */
  private lookUp(key: string, credential: string): Promise<TenantContext | null> {
    let lookup = this.lookups.get(key);
    if (!lookup) {
      lookup = this.resolve(credential)
        .then((context) => {
          if (this.cache.size > 10_000) this.cache.clear();
          this.cache.set(key, { context, until: Date.now() + (context ? this.cacheMs : NEGATIVE_CACHE_MS) });
          return context;
        })
        .finally(() => this.lookups.delete(key));
      this.lookups.set(key, lookup);
    }
    return lookup;
  }

  private async resolve(credential: string): Promise<TenantContext | null> {
    if (this.oidc && /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(credential)) return this.resolveToken(credential);
    return this.ask('/internal/authenticate', { credential });
  }

  /** A verified token becomes the context of its tenant and its highest Switchyard app role. */
  private async resolveToken(token: string): Promise<TenantContext | null> {
    const oidc = this.oidc!;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks!, { issuer: oidc.issuer, audience: oidc.audience, clockTolerance: 30 }));
    } catch {
      return null;
    }
    const claim = payload[oidc.tenantClaim];
    if (typeof claim !== 'string') return null;
    const tenantId = oidc.tenantMap[claim] ?? claim;
    const roles = (Array.isArray(payload[oidc.rolesClaim]) ? (payload[oidc.rolesClaim] as unknown[]) : [])
      .map((role) => ROLE_NAMES[String(role).toLowerCase()])
      .filter((role): role is Role => role !== undefined);
    if (roles.length === 0) return null;
    const role = roles.sort((a, b) => ROLE_RANK.indexOf(b) - ROLE_RANK.indexOf(a))[0]!;
    const status = await this.ask('/internal/tenant-status', { tenantId });
    if (!status) return null;
    return { tenantId, role, keyId: null, subject: `oidc:${payload.sub ?? 'unknown'}` };
  }

  private async ask(path: string, body: Record<string, unknown>): Promise<TenantContext | null> {
    let response: Response;
    try {
      response = await this.tenants.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await this.tokens.sign(GATEWAY_CONTEXT) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
        idempotent: true,
      });
    } catch (error) {
      throw new UnavailableError(`Authentication is unavailable right now (${(error as Error).message}); retry shortly.`);
    }
    if (!response.ok) throw new UnavailableError(`Authentication is unavailable right now (HTTP ${response.status}); retry shortly.`);
    const answer = (await response.json()) as { context: unknown; limits?: { plan?: unknown; requestsPerSecond?: unknown; burst?: unknown } | null };
    const context = answer.context ? TenantContext.parse(answer.context) : null;
    const limits = answer.limits;
    if (context?.tenantId && limits && typeof limits.requestsPerSecond === 'number' && typeof limits.burst === 'number') {
      if (this.rateLimits.size > 100_000) this.rateLimits.clear();
      this.rateLimits.set(context.tenantId, { plan: String(limits.plan ?? 'team'), requestsPerSecond: limits.requestsPerSecond, burst: limits.burst });
    }
    return context;
  }
}
