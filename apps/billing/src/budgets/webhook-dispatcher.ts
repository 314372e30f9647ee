import { createHmac } from 'node:crypto';
import { PreconditionFailedError } from '@switchyard/contracts';
import type { BaseDocument, Collection, Stored } from '@switchyard/store';
import type { Logger } from '@switchyard/service-kit';
import type { DeliveryState } from './budget-alerts.ts';
import type { BudgetManager } from './budget-manager.ts';
import type { OutboundHttpClient } from '@switchyard/tools';
import type { DestinationCheck } from './webhook-destination.ts';

export const SIGNATURE_HEADER = 'x-switchyard-signature';
export const EVENT_ID_HEADER = 'x-switchyard-event-id';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the webhook secret>`: the receiver
 * recomputes it over the raw body, compares in constant time, and refuses old timestamps (replays).
 */
export function webhookSignature(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/** A stored notification the dispatcher delivers: its delivery state lives in the document itself. */
export interface Deliverable extends BaseDocument {
  deliveryState: DeliveryState;
  attempts: number;
  lastError: string | null;
  deliveredAt: string | null;
  /** Epoch ms of the next delivery attempt (also how long a sender's claim on a PENDING one lasts). */
  nextAttemptAt: number;
}

/** One kind of notification: where it is stored and the JSON body its webhook POST carries. */
export interface Outbox<T extends Deliverable = Deliverable> {
  kind: string;
  collection: Collection<T>;
  body: (doc: T) => Record<string, unknown>;
}

export interface WebhookDispatcherOptions {
  /** Attempts in all before an alert's delivery is given up as FAILED. */
  maxAttempts: number;
  /** Delay before the second attempt; doubled for each further one, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  /**
   * Sends the POST: connections pinned to the addresses that were checked (no DNS-rebinding gap), no
   * redirects followed, private addresses refused unless the operator exempted the host.
   */
  http: OutboundHttpClient;
  /** How often pending deliveries are looked for (after a restart, or another replica's claim lapsed). */
  pollMs: number;
  logger: Logger;
}

/**
 * Delivers a tenant's notifications (budget alerts, operational alerts) to its webhook, in the
 * background (a recorded call never waits for it), with retries and exponential backoff. Pending
 * deliveries live in the store, so a restart or another replica picks them up; a replica claims a
 * notification (a conditional write) before sending it.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly outboxes: Outbox<any>[],
    private readonly budgets: BudgetManager,
    private readonly checkDestination: DestinationCheck,
    private readonly options: WebhookDispatcherOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.pollMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Look for due deliveries now (or after `delayMs`). */
  kick(delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs > 0) {
      setTimeout(() => this.kick(), delayMs).unref();
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.deliverDue()
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'webhook delivery round failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async deliverDue(): Promise<void> {
    for (const outbox of this.outboxes) {
      for (;;) {
        const now = Date.now();
        const page = await outbox.collection.queryAllTenants({ where: { deliveryState: 'PENDING', nextAttemptAt: { lte: now } }, first: 50 });
        if (page.items.length === 0) break;
        await Promise.all(page.items.map((item) => this.claimAndSend(outbox, item, now)));
        if (this.stopped) return;
      }
    }
  }

  private async claimAndSend(outbox: Outbox, stored: Stored<Deliverable>, now: number): Promise<void> {
    let claim: Stored<Deliverable>;
    try {
      // While one replica sends, the notification is not due for anyone else.
      claim = await outbox.collection.replace({ ...stored.doc, nextAttemptAt: now + this.options.timeoutMs + 5_000 }, { ifMatch: stored.etag });
    } catch (error) {
      if (error instanceof PreconditionFailedError) return;
      throw error;
    }
    const doc = claim.doc;
    const budget = await this.budgets.settingsOf(doc.tenantId);
    if (!budget?.webhookUrl || !budget.webhookSecret) {
      await outbox.collection.replace({ ...doc, deliveryState: 'NO_WEBHOOK' }, { ifMatch: claim.etag });
      return;
    }
    const attempts = doc.attempts + 1;
    const error = await this.send(doc.id, JSON.stringify(outbox.body(doc)), budget.webhookUrl, budget.webhookSecret);
    if (!error) {
      await outbox.collection.replace({ ...doc, attempts, deliveryState: 'DELIVERED', lastError: null, deliveredAt: new Date().toISOString() }, { ifMatch: claim.etag });
      return;
    }
    const giveUp = attempts >= this.options.maxAttempts;
    const delay = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempts - 1));
    this.options.logger.warn({ tenantId: doc.tenantId, [outbox.kind]: doc.id, attempts, error, giveUp }, 'webhook delivery failed');
    await outbox.collection.replace({ ...doc, attempts, lastError: error, deliveryState: giveUp ? 'FAILED' : 'PENDING', nextAttemptAt: Date.now() + delay }, { ifMatch: claim.etag });
    // Timers may fire a millisecond before Date.now() reaches the due time; a little margin avoids a wasted round.
    if (!giveUp) this.kick(delay + 10);
  }

  /** One POST; returns what went wrong, or null when the receiver answered 2xx. */
  private async send(eventId: string, body: string, webhookUrl: string, secret: string): Promise<string | null> {
    try {
      await this.checkDestination(new URL(webhookUrl));
      const response = await this.options.http.send({
        method: 'POST',
        url: webhookUrl,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Switchyard-Billing/1',
          [EVENT_ID_HEADER]: eventId,
          [SIGNATURE_HEADER]: webhookSignature(secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
        allowedHosts: [],
        hostFromTenantConfig: true,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        timeoutMs: this.options.timeoutMs,
        maxResponseBytes: 4096,
      });
      const ok = response.status >= 200 && response.status < 300;
      return ok ? null : `HTTP ${response.status}`;
    } catch (error) {
      return (error as Error).message.slice(0, 500);
    }
  }
}
