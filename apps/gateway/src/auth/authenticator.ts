import { createHash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { TenantContext, UnauthenticatedError, UnavailableError, type Role } from '@switchyard/contracts';
import { ServiceEndpoints, type ContextTokens, type EndpointResponse } from '@switchyard/service-kit';
import { CONTEXT_HEADER } from '@switchyard/contracts';
import { credentialTenantDigest, type CredentialChange } from '@switchyard/service-kit';
import type { CredentialChangeSink } from './credential-feed.ts';

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

/** A tenant's rate limit as the tenants service answered it with the tenant's authentication (decision 023). */
export interface TenantRateLimit {
  plan: string;
  requestsPerSecond: number;
  burst: number;
}

interface CachedAnswer {
  context: TenantContext | null;
  until: number;
}

/**
 * Turns a presented credential ("Bearer <api key>") into a tenant context by asking the tenants
 * service, which owns keys. Requests with the same credential that arrive while its lookup is in
 * flight wait for that lookup instead of starting their own.
 *
 * With a credential feed (decision 025) a verified answer is kept, by the credential's fingerprint,
 * for up to `cacheMs` (never past the key's expiry), and dropped the moment the feed reports its
 * key revoked or rotated or its tenant suspended, deleted or given other limits. Cached answers are
 * trusted only while the feed is answered in time; otherwise every request asks, so a revocation
 * always applies to the next request the feed cannot vouch for. A lookup that was in flight when a
 * change arrived is used for its requests but not kept. Without a feed, answers are kept `cacheMs`.
 */
export class Authenticator implements CredentialChangeSink {
  /** The latest rate limit the tenants service sent for each tenant, by tenant id. */
  private readonly rateLimits = new Map<string, TenantRateLimit>();
  private readonly cache = new Map<string, CachedAnswer>();
  private readonly lookups = new Map<string, Promise<TenantContext | null>>();
  /** Counts the changes applied, so a lookup that raced one is not kept. */
  private changesSeen = 0;
  private feed: { healthy(): boolean } | null = null;

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
    const trusted = cached && cached.until > Date.now() && (cached.context === null || !this.feed || this.feed.healthy());
    let context = trusted ? cached.context : undefined;
    if (context === undefined) context = await this.lookUp(key, credential);
    if (!context) throw new UnauthenticatedError('The API key is unknown, revoked or expired. Create a new key or check the Authorization header.');
    return context;
  }

  /** Trust cached answers only while `feed` is healthy, and drop those it reports changed. */
  useFeed(feed: { healthy(): boolean }): void {
    this.feed = feed;
  }

  forget(changes: readonly CredentialChange[]): void {
    this.changesSeen += 1;
    // A request from now on asks afresh instead of joining a lookup that may predate the change.
    this.lookups.clear();
    const keys = new Set(changes.flatMap((c) => (c.keyId ? [c.keyId] : [])));
    const tenants = new Set(changes.flatMap((c) => (c.tenantDigest ? [c.tenantDigest] : [])));
    const changed = (tenantId: string | null) => tenantId !== null && tenants.size > 0 && tenants.has(credentialTenantDigest(tenantId));
    for (const [print, entry] of this.cache) {
      const context = entry.context;
      if (context && ((context.keyId && keys.has(context.keyId)) || changed(context.tenantId))) this.cache.delete(print);
    }
    for (const tenantId of this.rateLimits.keys()) if (changed(tenantId)) this.rateLimits.delete(tenantId);
  }

  forgetAll(): void {
    this.changesSeen += 1;
    this.lookups.clear();
    this.cache.clear();
  }

  /** The tenant's rate limit from its plan and overrides, as of its latest authentication; null before any. */
  rateLimitOf(tenantId: string): TenantRateLimit | null {
    return this.rateLimits.get(tenantId) ?? null;
  }

  /** One lookup per credential fingerprint at a time, shared by the requests that arrive meanwhile. */
  private lookUp(key: string, credential: string): Promise<TenantContext | null> {
    let lookup = this.lookups.get(key);
    if (!lookup) {
      const changesBefore = this.changesSeen;
      lookup = this.resolve(credential)
        .then(({ context, expiresAt }) => {
          if (this.cache.size > 10_000) this.cache.clear();
          const keepMs = context ? this.cacheMs : NEGATIVE_CACHE_MS;
          // An answer that raced a reported change may predate it: use it, do not keep it.
          if (keepMs > 0 && this.changesSeen === changesBefore) {
            const expires = expiresAt ? Date.parse(expiresAt) : Number.POSITIVE_INFINITY;
            this.cache.set(key, { context, until: Math.min(Date.now() + keepMs, Number.isFinite(expires) ? expires : Number.POSITIVE_INFINITY) });
          }
          return context;
        })
        .finally(() => {
          if (this.lookups.get(key) === lookup) this.lookups.delete(key);
        });
      this.lookups.set(key, lookup);
    }
    return lookup;
  }

  private async resolve(credential: string): Promise<{ context: TenantContext | null; expiresAt?: string | null }> {
    if (this.oidc && /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(credential)) return this.resolveToken(credential);
    return this.ask('/internal/authenticate', { credential });
  }

  /** A verified token becomes the context of its tenant and its highest Switchyard app role. */
  private async resolveToken(token: string): Promise<{ context: TenantContext | null; expiresAt?: string | null }> {
    const oidc = this.oidc!;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks!, { issuer: oidc.issuer, audience: oidc.audience, clockTolerance: 30 }));
    } catch {
      return { context: null };
    }
    const claim = payload[oidc.tenantClaim];
    if (typeof claim !== 'string') return { context: null };
    const tenantId = oidc.tenantMap[claim] ?? claim;
    const roles = (Array.isArray(payload[oidc.rolesClaim]) ? (payload[oidc.rolesClaim] as unknown[]) : [])
      .map((role) => ROLE_NAMES[String(role).toLowerCase()])
      .filter((role): role is Role => role !== undefined);
    if (roles.length === 0) return { context: null };
    const role = roles.sort((a, b) => ROLE_RANK.indexOf(b) - ROLE_RANK.indexOf(a))[0]!;
    const status = await this.ask('/internal/tenant-status', { tenantId });
    if (!status.context) return { context: null };
    // Kept no longer than the token is valid.
    const expiresAt = typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toISOString() : null;
    return { context: { tenantId, role, keyId: null, subject: `oidc:${payload.sub ?? 'unknown'}` }, expiresAt };
  }

  private async ask(path: string, body: Record<string, unknown>): Promise<{ context: TenantContext | null; expiresAt: string | null }> {
    let response: EndpointResponse;
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
    const answer = (await response.json()) as { context: unknown; expiresAt?: unknown; limits?: { plan?: unknown; requestsPerSecond?: unknown; burst?: unknown } | null };
    const context = answer.context ? TenantContext.parse(answer.context) : null;
    const limits = answer.limits;
    if (context?.tenantId && limits && typeof limits.requestsPerSecond === 'number' && typeof limits.burst === 'number') {
      if (this.rateLimits.size > 100_000) this.rateLimits.clear();
      this.rateLimits.set(context.tenantId, { plan: String(limits.plan ?? 'team'), requestsPerSecond: limits.requestsPerSecond, burst: limits.burst });
    }
    return { context, expiresAt: typeof answer.expiresAt === 'string' ? answer.expiresAt : null };
  }
}
