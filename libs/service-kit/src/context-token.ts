import { SignJWT, jwtVerify } from 'jose';
import { TenantContext, UnauthenticatedError } from '@switchyard/contracts';

const ISSUER = 'switchyard-gateway';
const AUDIENCE = 'switchyard-subgraph';
const encoder = new TextEncoder();

/**
 * Signs and verifies the tenant context that travels from the gateway (and between services) to
 * subgraphs. HS256 with a secret shared by the platform's own processes; tokens live 60 seconds, so a
 * captured header is useless soon after.
 */
export class ContextTokens {
  private readonly key: Uint8Array;
  constructor(secret: string, private readonly ttlSeconds = 60) {
    if (secret.length < 32) throw new Error('SWITCHYARD_CONTEXT_SECRET must be at least 32 characters');
    this.key = encoder.encode(secret);
  }

  async sign(context: TenantContext): Promise<string> {
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
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      return TenantContext.parse({ tenantId: payload.tid ?? null, role: payload.role, keyId: payload.kid ?? null, subject: payload.sub });
    } catch {
      throw new UnauthenticatedError('Invalid or expired tenant context: subgraphs only answer requests that come through the Switchyard gateway.');
    }
  }
}
