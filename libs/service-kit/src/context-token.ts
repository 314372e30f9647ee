import { SignJWT, jwtVerify } from 'jose';
import { TenantContext, UnauthenticatedError } from '@switchyard/contracts';

const ISSUER = 'switchyard-gateway';
const AUDIENCE = 'switchyard-subgraph';
const encoder = new TextEncoder();
/** Signed and verified tokens kept per process; past this the cache starts over. */
const MAX_CACHED = 10_000;

/**
 * Signs and verifies the tenant context that travels from the gateway (and between services) to
 * subgraphs. HS256 with a secret shared by the platform's own processes; tokens live 60 seconds, so a
 * captured header is useless soon after.
 *
 * A process signs the same context many times a second (every call to a peer): a signed token is
 * reused for the first quarter of its life, so a token is never sent with less than three quarters
 * of its time left. Verified tokens are remembered until they expire, so a peer that sends the same
 * token again is not checked again; anything else is verified in full.
 */
export class ContextTokens {
  private readonly key: Uint8Array;
  private readonly signed = new Map<string, { token: string; reuseUntil: number }>();
  private readonly verified = new Map<string, { context: TenantContext; expiresAt: number }>();

  constructor(secret: string, private readonly ttlSeconds = 60) {
    if (secret.length < 32) throw new Error('SWITCHYARD_CONTEXT_SECRET must be at least 32 characters');
    this.key = encoder.encode(secret);
  }

  async sign(context: TenantContext): Promise<string> {
    const cacheKey = `${context.tenantId ?? ''}\u0000${context.role}\u0000${context.keyId ?? ''}\u0000${context.subject}`;
    const now = Date.now();
    const cached = this.signed.get(cacheKey);
    if (cached && cached.reuseUntil > now) return cached.token;
    const token = await this.signNew(context);
    if (this.signed.size >= MAX_CACHED) this.signed.clear();
    this.signed.set(cacheKey, { token, reuseUntil: now + (this.ttlSeconds * 1000) / 4 });
    return token;
  }

  private signNew(context: TenantContext): Promise<string> {
    return new SignJWT({ tid: context.tenantId, role: context.role, kid: context.keyId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(context.subject)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  async verify(token: string | undefined | null): Promise<TenantContext> {
    if (!token) throw new UnauthenticatedError('Missing tenant context: subgraphs only answer requests that come through the Switchyard gateway.');
    const known = this.verified.get(token);
    if (known && known.expiresAt > Date.now()) return known.context;
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      const context = TenantContext.parse({ tenantId: payload.tid ?? null, role: payload.role, keyId: payload.kid ?? null, subject: payload.sub });
      if (typeof payload.exp === 'number') {
        if (this.verified.size >= MAX_CACHED) this.verified.clear();
        this.verified.set(token, { context, expiresAt: payload.exp * 1000 });
      }
      return context;
    } catch {
      throw new UnauthenticatedError('Invalid or expired tenant context: subgraphs only answer requests that come through the Switchyard gateway.');
    }
  }
}
