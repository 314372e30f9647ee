import { ErrorCode, SwitchyardError, type TenantContext } from '@switchyard/contracts';
import { credentialTenantDigest, type CredentialChange } from '@switchyard/service-kit';
import type { CredentialChangeSink } from './credential-feed.ts';

/** graphql-ws's close code for a connection that may no longer be served. */
export const CLOSE_FORBIDDEN = 4403;
const CLOSE_REASON = 'The API key was revoked or its tenant suspended or deleted; reconnect with a valid key.';

/** What is kept of an admitted graphql-ws connection. */
export interface OpenSocket {
  /** The Authorization value it was admitted with, to be verified again. */
  authorization: string | undefined;
  tenant: TenantContext;
  close(code: number, reason: string): void;
}

/**
 * The graphql-ws connections this gateway admitted, checked again when the credential feed reports
 * their key or tenant changed (decision 025): a connection whose key no longer authenticates (revoked,
 * rotated away, its tenant suspended or deleted) is closed with 4403, its subscriptions with it, as a
 * new request with the key would be refused. A change that leaves the key valid (new limits, a
 * reactivation) keeps the connection. When the tenants service cannot answer, the connection stays
 * and is checked again at the next change; nothing is closed for an outage.
 */
export class OpenSockets implements CredentialChangeSink {
  private readonly open = new Set<OpenSocket>();

  constructor(
    private readonly authenticate: (authorization: string | undefined) => Promise<TenantContext>,
    /** Told once per re-check (not once per connection, which during an outage could be thousands of lines). */
    private readonly onError: (error: unknown, unverified: number) => void = () => undefined,
  ) {}

  add(socket: OpenSocket): void {
    this.open.add(socket);
  }

  delete(socket: OpenSocket): void {
    this.open.delete(socket);
  }

  get size(): number {
    return this.open.size;
  }

  forget(changes: readonly CredentialChange[]): void {
    const keys = new Set(changes.flatMap((c) => (c.keyId ? [c.keyId] : [])));
    const tenants = new Set(changes.flatMap((c) => (c.tenantDigest ? [c.tenantDigest] : [])));
    const touched = [...this.open].filter(({ tenant }) => (tenant.keyId !== null && keys.has(tenant.keyId)) || (tenant.tenantId !== null && tenants.has(credentialTenantDigest(tenant.tenantId))));
    void this.recheck(touched);
  }

  forgetAll(): void {
    void this.recheck([...this.open]);
  }

  /** Verify each connection's credential again (one lookup per credential: the authenticator shares them); close those refused. */
  async recheck(sockets: readonly OpenSocket[]): Promise<void> {
    let unverified = 0;
    let firstError: unknown;
    await Promise.all(
      sockets.map(async (socket) => {
        try {
          await this.authenticate(socket.authorization);
        } catch (error) {
          const refused = error instanceof SwitchyardError && (error.code === ErrorCode.UNAUTHENTICATED || error.code === ErrorCode.FORBIDDEN);
          if (!refused) {
            if (unverified++ === 0) firstError = error;
            return;
          }
          if (!this.open.has(socket)) return;
          this.open.delete(socket);
          try {
            socket.close(CLOSE_FORBIDDEN, CLOSE_REASON);
          } catch (closeError) {
            this.onError(closeError, 0);
          }
        }
      }),
    );
    if (unverified > 0) this.onError(firstError, unverified);
  }
}
