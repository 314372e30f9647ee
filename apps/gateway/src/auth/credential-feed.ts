import { CONTEXT_HEADER, type TenantContext } from '@switchyard/contracts';
import type { ApolloServerPlugin } from '@apollo/server';
import type { ContextTokens, CredentialChange, ServiceEndpoints } from '@switchyard/service-kit';

const GATEWAY_CONTEXT: TenantContext = { tenantId: null, role: 'PLATFORM_ADMIN', keyId: null, subject: 'service:gateway' };

/** What the feed tells: forget these credentials, or (after a gap) everything. */
export interface CredentialChangeSink {
  forget(changes: readonly CredentialChange[]): void;
  forgetAll(): void;
}

/**
 * The gateway's end of the tenants service's credential changes (decision 025): one long poll at a
 * time, answered as soon as a key is revoked or rotated or a tenant suspended, deleted or given
 * other limits, on any tenants replica. While it is answered in time the gateway may trust keys it
 * verified earlier; once it is not (the tenants service unreachable), `healthy()` turns false and
 * nothing cached is trusted until it is answered again.
 */
export class CredentialFeed {
  private generation: number | null = null;
  private since: string | null = null;
  private lastAnswerAt = 0;
  private stopped = false;
  private current: AbortController | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly tenants: ServiceEndpoints,
    private readonly tokens: ContextTokens,
    private readonly sink: CredentialChangeSink,
    private readonly options: { waitMs: number; retryMs: number; onError?: (error: unknown) => void } = { waitMs: 20_000, retryMs: 1000 },
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Answered lately: a change made now reaches this gateway within one long poll. */
  healthy(now = Date.now()): boolean {
    return !this.stopped && now - this.lastAnswerAt < this.options.waitMs + 5000;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.abort();
    await this.loop?.catch(() => undefined);
  }

  /**
   * Ask at once for the changes recorded so far and apply them: after a mutation that revoked a key
   * or suspended a tenant, its own gateway answers only once the change applies here, so the
   * caller's next request already sees it (other gateways see it within one long poll).
   */
  async catchUp(): Promise<void> {
    if (this.generation === null) return;
    try {
      await this.request(0, AbortSignal.timeout(5000));
    } catch (error) {
      // Not known to have applied: trust nothing cached until the feed answers again.
      this.lastAnswerAt = 0;
      throw error;
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const began = Date.now();
        const waited = this.generation !== null;
        const changed = await this.poll();
        // A poll that was to wait came back at once with nothing (its tenants replica is shutting
        // down): pause instead of asking again in a tight loop.
        if (waited && !changed && Date.now() - began < Math.min(100, this.options.waitMs / 10)) await new Promise((resolve) => setTimeout(resolve, this.options.retryMs));
      } catch (error) {
        if (this.stopped) return;
        this.options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, this.options.retryMs));
      }
    }
  }

  /** One long poll; true when it brought changes. */
  private async poll(): Promise<boolean> {
    const controller = new AbortController();
    this.current = controller;
    const timer = setTimeout(() => controller.abort(new Error('the tenants service did not answer the credential feed in time')), this.options.waitMs + 5000);
    try {
      return await this.request(this.generation === null ? 0 : this.options.waitMs, controller.signal);
    } finally {
      clearTimeout(timer);
      this.current = null;
    }
  }

  private async request(waitMs: number, signal: AbortSignal): Promise<boolean> {
    const asked = { generation: this.generation, since: this.since };
    const response = await this.tenants.fetch('/internal/credential-changes', {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await this.tokens.sign(GATEWAY_CONTEXT) },
      body: JSON.stringify({ ...asked, waitMs }),
      signal,
      idempotent: true,
    });
    if (!response.ok) throw new Error(`credential feed: HTTP ${response.status}`);
    const answer = (await response.json()) as { generation: number; changes: CredentialChange[]; now: string; reset: boolean };
    // Applied before the answer counts: a request right after sees the change.
    if (answer.reset) this.sink.forgetAll();
    else if (answer.changes.length > 0) this.sink.forget(answer.changes);
    // A long poll and a catch-up may overlap: the answer to the older question does not move the position back.
    if (this.generation === null || answer.generation >= this.generation) {
      this.generation = answer.generation;
      this.since = answer.now;
    }
    this.lastAnswerAt = Date.now();
    return answer.reset || answer.changes.length > 0;
  }
}

/** Mutations after which the credential a request presents may no longer be valid. */
const CHANGES_CREDENTIALS = new Set(['revokeApiKey', 'rotateApiKey', 'suspendTenant', 'reactivateTenant', 'setTenantLimits', 'deleteTenant', 'eraseTenantData']);

/** Holds a mutation's answer that changed credentials until the change applies to this gateway's cache. */
export function credentialChangePlugin(feed: CredentialFeed): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation }) {
          if (operation?.operation !== 'mutation') return;
          const fields = operation.selectionSet.selections.flatMap((selection) => (selection.kind === 'Field' ? [selection.name.value] : []));
          // A failed catch-up leaves the feed unhealthy (nothing cached is trusted until it answers), so the answer can go.
          if (fields.some((field) => CHANGES_CREDENTIALS.has(field))) await feed.catchUp().catch(() => undefined);
        },
      };
    },
  };
}
