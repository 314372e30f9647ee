import pRetry, { AbortError } from 'p-retry';
import { CONTEXT_HEADER, type TenantContext } from '@switchyard/contracts';
import { ServiceEndpoints, type ContextTokens, type Logger } from '@switchyard/service-kit';

const GATEWAY: TenantContext = { tenantId: null, role: 'PLATFORM_ADMIN', keyId: null, subject: 'service:gateway' };

/** One entry of the tenants service's audit log, as the gateway reports it. */
export interface AuditRecord {
  tenantId: string | null;
  actor: string;
  role: string;
  operation: string;
  fields: string[];
  outcome: 'ok' | 'partial' | 'error';
  errorCodes: string[];
  /** When the gateway answered (ISO 8601): the entry's time, however late a retry writes it. */
  at: string;
}

export interface AuditQueueOptions {
  /** Records waiting to be written at most; beyond it a record is dropped, logged and counted. */
  capacity: number;
  /** Writes in flight at once. */
  concurrency: number;
  /** Time allowed to one write attempt. */
  attemptTimeoutMs: number;
  /** Backoff between attempts of one record: from the first to the largest wait. */
  minRetryMs: number;
  maxRetryMs: number;
}

const DEFAULTS: AuditQueueOptions = { capacity: 10_000, concurrency: 4, attemptTimeoutMs: 5000, minRetryMs: 100, maxRetryMs: 5000 };

/**
 * Audit records on their way to the tenants service (POST /internal/audit), written after the
 * response went out instead of before. A record whose write fails is tried again with backoff for as
 * long as the gateway runs; a refusal (4xx other than 429) is final and logged. The queue is bounded:
 * when it is full a record is dropped, logged at error level with its content, and counted. `close`
 * writes what is queued before the gateway exits, within a deadline.
 */
export class AuditQueue {
  /** Records written, dropped because the queue was full, refused by the tenants service, or left unwritten at shutdown. */
  readonly counts = { written: 0, dropped: 0, refused: 0, unwritten: 0 };
  private readonly waiting: AuditRecord[] = [];
  private inFlight = 0;
  private readonly idle = new Set<() => void>();
  private readonly stop = new AbortController();
  private readonly options: AuditQueueOptions;
  private readonly tenants: ServiceEndpoints;

  constructor(
    tenants: ServiceEndpoints | string | readonly string[],
    private readonly tokens: ContextTokens,
    private readonly logger: Logger,
    options: Partial<AuditQueueOptions> = {},
  ) {
    this.tenants = ServiceEndpoints.of(tenants);
    this.options = { ...DEFAULTS, ...options };
  }

  /** Records not yet written (waiting or in flight). */
  get pending(): number {
    return this.waiting.length + this.inFlight;
  }

  /** Callers of `flush` still waiting for the queue to empty. */
  get flushing(): number {
    return this.idle.size;
  }

  add(record: AuditRecord): void {
    if (this.stop.signal.aborted || this.waiting.length >= this.options.capacity) {
      this.counts.dropped += 1;
      this.logger.error(
        { record, dropped: this.counts.dropped, capacity: this.options.capacity },
        this.stop.signal.aborted ? 'audit record dropped: the gateway is shutting down' : 'audit record dropped: the audit queue is full (the tenants service is not keeping up)',
      );
      return;
    }
    this.waiting.push(record);
    this.pump();
  }

  /**
   * Resolves when every record added so far is written (or finally refused), or after `timeoutMs`;
   * true when nothing is pending.
   */
  async flush(timeoutMs: number): Promise<boolean> {
    if (this.pending === 0) return true;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idle.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.idle.add(done);
    });
    return this.pending === 0;
  }

  /** Write what is queued within `timeoutMs`, then give up on the rest (logged with their content). */
  async close(timeoutMs: number): Promise<void> {
    await this.flush(timeoutMs);
    this.stop.abort();
    const left = this.waiting.splice(0);
    if (left.length > 0) {
      this.counts.unwritten += left.length;
      this.logger.error({ records: left }, `${left.length} audit record(s) not written before shutdown`);
    }
    // Writes in flight stop at once and are counted as they end.
    await this.flush(1000);
  }

  private pump(): void {
    while (this.inFlight < this.options.concurrency && this.waiting.length > 0 && !this.stop.signal.aborted) {
      const record = this.waiting.shift()!;
      this.inFlight += 1;
      void this.write(record).finally(() => {
        this.inFlight -= 1;
        this.pump();
        if (this.pending === 0) for (const done of [...this.idle]) done();
      });
    }
  }

  private async write(record: AuditRecord): Promise<void> {
    try {
      await pRetry(
        async () => {
          const answer = await this.tenants.fetch('/internal/audit', {
            method: 'POST',
            headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await this.tokens.sign(GATEWAY) },
            body: JSON.stringify(record),
            signal: AbortSignal.any([AbortSignal.timeout(this.options.attemptTimeoutMs), this.stop.signal]),
          });
          if (answer.ok) return;
          const refusal = `the tenants service answered HTTP ${answer.status}`;
          if (answer.status >= 400 && answer.status < 500 && answer.status !== 429) throw new AbortError(refusal);
          throw new Error(refusal);
        },
        {
          retries: Number.POSITIVE_INFINITY,
          minTimeout: this.options.minRetryMs,
          maxTimeout: this.options.maxRetryMs,
          signal: this.stop.signal,
          onFailedAttempt: ({ error, attemptNumber }) => {
            if (attemptNumber === 1 || attemptNumber % 10 === 0) this.logger.warn({ err: error, attemptNumber, operation: record.operation }, 'audit record not written yet; retrying');
          },
        },
      );
      this.counts.written += 1;
    } catch (error) {
      if (this.stop.signal.aborted) {
        this.counts.unwritten += 1;
        this.logger.error({ err: error, record }, 'audit record not written before shutdown');
      } else {
        this.counts.refused += 1;
        this.logger.error({ err: error, record }, 'audit record refused by the tenants service');
      }
    }
  }
}
