import { createHash } from 'node:crypto';
import { TenantContext, UnauthenticatedError, UnavailableError } from '@switchyard/contracts';
import type { ContextTokens } from '@switchyard/service-kit';
import { CONTEXT_HEADER } from '@switchyard/contracts';

const GATEWAY_CONTEXT: TenantContext = { tenantId: null, role: 'PLATFORM_ADMIN', keyId: null, subject: 'service:gateway' };
const NEGATIVE_CACHE_MS = 1000;

/**
 * Turns a presented credential ("Bearer <api key>") into a tenant context by asking the tenants
 * service, which owns keys. Answers are cached briefly by the key's fingerprint so the slow hash is
 * not paid per request; a revoked key stops working within the cache time.
 */
export class Authenticator {
  private readonly cache = new Map<string, { context: TenantContext | null; until: number }>();

  constructor(
    private readonly tenantsUrl: string,
    private readonly tokens: ContextTokens,
    private readonly cacheMs: number,
  ) {}

  async authenticate(authorization: string | undefined | null): Promise<TenantContext> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    if (!match) throw new UnauthenticatedError();
    const credential = match[1]!;
    const key = createHash('sha256').update(credential).digest('base64url');
    const now = Date.now();
    const cached = this.cache.get(key);
    let context = cached && cached.until > now ? cached.context : undefined;
    if (context === undefined) {
      context = await this.resolve(credential);
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, { context, until: now + (context ? this.cacheMs : NEGATIVE_CACHE_MS) });
    }
    if (!context) throw new UnauthenticatedError('The API key is unknown, revoked or expired. Create a new key or check the Authorization header.');
    return context;
  }

  private async resolve(credential: string): Promise<TenantContext | null> {
    let response: Response;
    try {
      response = await fetch(new URL('/internal/authenticate', this.tenantsUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await this.tokens.sign(GATEWAY_CONTEXT) },
        body: JSON.stringify({ credential }),
        signal: AbortSignal.timeout(5000),
      });
    } catch (error) {
      throw new UnavailableError(`Authentication is unavailable right now (${(error as Error).message}); retry shortly.`);
    }
    if (!response.ok) throw new UnavailableError(`Authentication is unavailable right now (HTTP ${response.status}); retry shortly.`);
    const body = (await response.json()) as { context: unknown };
    return body.context ? TenantContext.parse(body.context) : null;
  }
}
