import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { Logger } from '@switchyard/service-kit';

/**
 * Tells readers of a workflow's events that a new one was stored. Only a wake-up: readers always
 * read the events themselves from the store in sequence order, so a lost or duplicated
 * notification can never cause a gap or a duplicate.
 */
export interface EventNotifier {
  notify(workflowId: string, sequence: number): void;
  subscribe(workflowId: string, listener: () => void): () => void;
  /**
   * How often a workflow's reader looks at the store when no notification came: only a safety net
   * (another replica without Redis, a lost Redis message), since every append wakes it.
   */
  readonly pollIntervalMs: number;
  close(): Promise<void>;
}

/** The default interval of the safety-net poll (WORKFLOWS_EVENT_POLL_MS). */
export const DEFAULT_EVENT_POLL_MS = 2000;

/** Within one process; other replicas' events are found by the safety-net poll of the store. */
export class LocalEventNotifier implements EventNotifier {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  constructor(readonly pollIntervalMs: number = DEFAULT_EVENT_POLL_MS) {}

  notify(workflowId: string): void {
    this.emitter.emit(workflowId);
  }

  subscribe(workflowId: string, listener: () => void): () => void {
    this.emitter.on(workflowId, listener);
    return () => this.emitter.off(workflowId, listener);
  }

  async close(): Promise<void> {}
}

const CHANNEL_PREFIX = 'switchyard:workflow-events:';

/** Across replicas through Redis pub/sub (REDIS_URL): one subscriber connection per process. */
export class RedisEventNotifier implements EventNotifier {
  private readonly local = new EventEmitter().setMaxListeners(0);
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channels = new Map<string, number>();

  constructor(
    url: string,
    private readonly logger: Logger,
    readonly pollIntervalMs: number = DEFAULT_EVENT_POLL_MS,
  ) {
    this.publisher = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: false });
    this.subscriber = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: false });
    this.subscriber.on('message', (channel: string) => this.local.emit(channel.slice(CHANNEL_PREFIX.length)));
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', (error: Error) => this.logger.warn({ err: error }, 'redis connection error; readers fall back to polling'));
    }
  }

  notify(workflowId: string, sequence: number): void {
    this.local.emit(workflowId);
    this.publisher.publish(CHANNEL_PREFIX + workflowId, String(sequence)).catch((error: Error) => {
      this.logger.warn({ err: error, workflowId }, 'redis publish failed; readers fall back to polling');
    });
  }

  subscribe(workflowId: string, listener: () => void): () => void {
    const count = this.channels.get(workflowId) ?? 0;
    this.channels.set(workflowId, count + 1);
    if (count === 0) void this.subscriber.subscribe(CHANNEL_PREFIX + workflowId).catch(() => undefined);
    this.local.on(workflowId, listener);
    return () => {
      this.local.off(workflowId, listener);
      const left = (this.channels.get(workflowId) ?? 1) - 1;
      if (left === 0) {
        this.channels.delete(workflowId);
        void this.subscriber.unsubscribe(CHANNEL_PREFIX + workflowId).catch(() => undefined);
      } else this.channels.set(workflowId, left);
    };
  }

  async close(): Promise<void> {
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }
}
