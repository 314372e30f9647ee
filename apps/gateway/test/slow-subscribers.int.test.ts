import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { StartWorkflowDocument, WorkflowDocument } from '@switchyard/client';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';

// Issue 19, item 5: 1,000 graphql-ws subscribers through the gateway, as real sockets: some read
// everything, some stop reading, some vanish mid-stream without a close frame, some reconnect with
// the last sequence they saw. The gateway's memory stays bounded, nothing is left open upstream
// once they are gone, and a reconnecting client gets every missed event exactly once.
const SUBSCRIBERS = Number(process.env.SWITCHYARD_SLOW_SUBSCRIBERS ?? 1000);
const WORKFLOWS = 10;
const MIX = { reader: 0.4, stalled: 0.3, vanishing: 0.2, reconnecting: 0.1 } as const;
type Kind = keyof typeof MIX;

const EVENTS = 'subscription SlowEvents($workflowId: ID!, $afterSequence: Int) { workflowEvents(workflowId: $workflowId, afterSequence: $afterSequence) { sequence type } }';
const TERMINAL = new Set(['WORKFLOW_SUCCEEDED', 'WORKFLOW_FAILED', 'WORKFLOW_CANCELLED']);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    env: {
      // Each workflow runs for several seconds, so subscribers meet it mid-stream.
      LLM_SIMULATOR_LATENCY_MS: '700',
      // 1,000 connections of one tenant at once: above the per-tenant request rate of a normal setup.
      RATE_LIMIT_TENANT_PER_SECOND: '100000',
      RATE_LIMIT_TENANT_BURST: '100000',
      RATE_LIMIT_KEY_PER_SECOND: '100000',
      RATE_LIMIT_KEY_BURST: '100000',
    },
  });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

const rssBytes = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;

async function gauge(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  // One unlabelled series (besides the registry's default `service` label): `name{service="x"} value`.
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.trim().split(' ').at(-1)) : NaN;
}

interface Subscriber {
  kind: Kind;
  workflowId: string;
  sequences: number[];
  ended: boolean;
  error?: string;
}

/** A graphql-ws connection of its own (protocol graphql-transport-ws), acknowledged. */
function connect(url: string, key: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws');
    const timer = setTimeout(() => reject(new Error('no connection_ack within 30 s')), 30_000);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } })));
    ws.on('message', function ack(raw) {
      if ((JSON.parse(raw.toString()) as { type: string }).type !== 'connection_ack') return;
      clearTimeout(timer);
      ws.off('message', ack);
      resolve(ws);
    });
    ws.once('error', reject);
  });
}

/** Subscribe on `ws`, recording sequences into `into`; `onEvent` may act on the socket after each event. */
function subscribe(ws: WebSocket, into: Subscriber, afterSequence: number | null, onEvent: (sequence: number) => void = () => undefined): void {
  ws.on('message', (raw) => {
    const message = JSON.parse(raw.toString()) as { type: string; payload?: { data?: { workflowEvents?: { sequence: number; type: string } } } };
    if (message.type === 'next') {
      const event = message.payload?.data?.workflowEvents;
      if (!event) {
        into.error = JSON.stringify(message.payload);
        return;
      }
      into.sequences.push(event.sequence);
      if (TERMINAL.has(event.type)) into.ended = true;
      onEvent(event.sequence);
    } else if (message.type === 'error') {
      into.error = JSON.stringify(message.payload);
    }
  });
  ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: EVENTS, variables: { workflowId: into.workflowId, afterSequence } } }));
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

describe(`${SUBSCRIBERS} slow and vanishing subscribers`, () => {
  it('keeps the gateway bounded, leaves nothing open upstream, and resumes reconnecting clients without gap or duplicate', async () => {
    const wsUrl = stack.gatewayUrl.replace(/^http/, 'ws');
    const gatewayMetrics = stack.gatewayUrl.replace(/\/graphql$/, '/metrics');
    const workflowsMetrics = stack.supervisor.replicasOf('workflows')[0]!.url.replace(/\/graphql$/, '/metrics');
    const gatewayPid = stack.supervisor.replicasOf('gateway')[0]!.child!.pid!;
    const client = stack.client();
    const rssBefore = rssBytes(gatewayPid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(gatewayPid))), 100);

    const workflowIds = await Promise.all(
      Array.from({ length: WORKFLOWS }, async (_, i) => (await client.request(StartWorkflowDocument, { input: { input: `Process insurance claim #${30_000 + i}`, framework: 'LANGGRAPH' } })).startWorkflow.id),
    );
    const kinds = Object.entries(MIX).flatMap(([kind, share]) => Array<Kind>(Math.round(share * SUBSCRIBERS)).fill(kind as Kind));
    const subscribers: Subscriber[] = kinds.map((kind, i) => ({ kind, workflowId: workflowIds[i % WORKFLOWS]!, sequences: [], ended: false }));
    const sockets: WebSocket[] = [];
    const socketKinds = new Map<WebSocket, Kind>();
    const reconnections: Promise<void>[] = [];

    await inBatches(subscribers, 100, async (subscriber) => {
      const ws = await connect(wsUrl, stack.apiKey);
      sockets.push(ws);
      socketKinds.set(ws, subscriber.kind);
      subscribe(ws, subscriber, null, (sequence) => {
        if (subscriber.kind === 'stalled' && sequence === 1) {
          // Stops reading: the socket's data stays in the kernel's buffers, then the gateway's.
          (ws as unknown as { _socket: { pause(): void } })._socket.pause();
        } else if (subscriber.kind === 'vanishing' && sequence === 2) {
          // Gone without a close frame, as a client whose network dropped.
          (ws as unknown as { _socket: { destroy(): void } })._socket.destroy();
        } else if (subscriber.kind === 'reconnecting' && sequence === 2) {
          ws.terminate();
          reconnections.push(
            (async () => {
              const again = await connect(wsUrl, stack.apiKey);
              sockets.push(again);
              socketKinds.set(again, 'reconnecting');
              subscribe(again, subscriber, subscriber.sequences.at(-1)!);
            })(),
          );
        }
      });
    });

    // Every workflow ends; readers and reconnecting clients have heard the end.
    await eventually(async () => {
      const statuses = await Promise.all(workflowIds.map(async (id) => (await client.request(WorkflowDocument, { id })).workflow!.status));
      return statuses.every((s) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(s)) ? true : undefined;
    }, 120_000, 500);
    await Promise.all(reconnections);
    const lengths = new Map(await Promise.all(workflowIds.map(async (id) => [id, (await client.request(WorkflowDocument, { id })).workflow!.events.length] as const)));
    await eventually(async () => (subscribers.filter((s) => s.kind === 'reader' || s.kind === 'reconnecting').every((s) => s.ended) ? true : undefined), 30_000, 200).catch(() => {
      const behind = subscribers.filter((s) => (s.kind === 'reader' || s.kind === 'reconnecting') && !s.ended);
      const sample = behind.slice(0, 5).map((s) => `${s.kind} of ${s.workflowId} (${lengths.get(s.workflowId)} events): got [${s.sequences.join(',')}] ${s.error ?? ''}`);
      throw new Error(`${behind.length} subscribers never heard their workflow end:\n${sample.join('\n')}`);
    });
    const gatewaySockets = await gauge(gatewayMetrics, 'switchyard_gateway_websockets_open');
    const upstreamWhileHeld = await gauge(workflowsMetrics, 'switchyard_subscriptions_open');
    const rssHeld = rssBytes(gatewayPid);

    for (const subscriber of subscribers.filter((s) => s.kind === 'reader' || s.kind === 'reconnecting')) {
      const n = lengths.get(subscriber.workflowId)!;
      // Every event once, in order: the reconnecting client's two connections together.
      expect(subscriber.sequences, `${subscriber.kind} ${subscriber.workflowId} ${subscriber.error ?? ''}`).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
    // Vanished clients were noticed: only readers' ended subscriptions are gone, stalled ones stay open
    // until they leave; no vanished client's subscription outlives it upstream.
    expect(gatewaySockets).toBeLessThanOrEqual(SUBSCRIBERS - kinds.filter((k) => k === 'vanishing').length);

    // Everyone leaves, stalled clients included: nothing stays open on the gateway or upstream.
    clearInterval(sampler);
    if (process.env.SWITCHYARD_DIAGNOSE === '1') {
      for (const kind of Object.keys(MIX) as Kind[]) {
        for (const ws of sockets) if (socketKinds.get(ws) === kind) ws.terminate();
        await new Promise((resolve) => setTimeout(resolve, 3000));
        console.log(`after closing ${kind}: gateway ${await gauge(gatewayMetrics, 'switchyard_gateway_websockets_open')}, upstream ${await gauge(workflowsMetrics, 'switchyard_subscriptions_open')}`);
      }
    }
    for (const ws of sockets) ws.terminate();
    let last = { gatewayOpen: NaN, upstreamOpen: NaN };
    const closed = await eventually(async () => {
      const [gatewayOpen, upstreamOpen] = await Promise.all([gauge(gatewayMetrics, 'switchyard_gateway_websockets_open'), gauge(workflowsMetrics, 'switchyard_subscriptions_open')]);
      last = { gatewayOpen, upstreamOpen };
      return gatewayOpen === 0 && upstreamOpen === 0 ? last : undefined;
    }, 20_000, 200).catch(() => last);
    expect(closed).toEqual({ gatewayOpen: 0, upstreamOpen: 0 });

    const mib = (bytes: number) => Math.round(bytes / 1048576);
    console.log(
      `${SUBSCRIBERS} subscribers on ${WORKFLOWS} workflows (${Object.entries(MIX).map(([k, v]) => `${Math.round(v * 100)} % ${k}`).join(', ')}): gateway RSS ${mib(rssBefore)} MiB before, peak ${mib(rssPeak)} MiB, ${mib(rssHeld)} MiB with the stalled ones held; ` +
        `${gatewaySockets} gateway sockets and ${upstreamWhileHeld} upstream subscriptions open while held, 0 and 0 after all left`,
    );
    // Bounded: a thousand connections, each with its upstream one, in well under half a gigabyte.
    expect(rssPeak - rssBefore).toBeLessThan(400 * 1048576);
  }, 300_000);
});
