import WebSocket from 'ws';
import { longString } from './hostile-values.ts';
import type { SeededRandom } from './seeded-random.ts';

/** A scripted graphql-ws conversation: frames sent in order, each after the server's answer to the last or a short pause. */
export interface WsCase {
  kind: string;
  protocol: string | null;
  frames: Array<string | Buffer>;
}

export interface WsOutcome {
  /** Close code the server sent (1005: none given; null: the connection is still open at the end). */
  closeCode: number | null;
  closeReason: string;
  messages: Array<{ type?: string; id?: string; payload?: unknown }>;
  /** The handshake failed before a socket opened (HTTP status, if any). */
  refused?: number;
  /** This client's own error, e.g. it gave up on a handshake without the subprotocol it asked for. */
  clientError?: string;
}

const PROTOCOL = 'graphql-transport-ws';
const init = (authorization: unknown) => JSON.stringify({ type: 'connection_init', payload: { authorization } });
const subscribe = (id: unknown, payload: unknown) => JSON.stringify({ id, type: 'subscribe', payload });

/** Frames a graphql-ws server must refuse without failing: not JSON, unknown types, out of order, duplicate, huge, binary, bad auth. */
export function wsCase(random: SeededRandom, keys: { valid: string; otherTenantWorkflowId: string }): WsCase {
  const valid = `Bearer ${keys.valid}`;
  const shape = random.int(0, 17);
  const viewer = { query: '{ viewer { role } }' };
  switch (shape) {
    case 0:
      return { kind: 'not-json', protocol: PROTOCOL, frames: [random.pick(['hello', '{', '[1,2', '\u0000', ''])] };
    case 1:
      return { kind: 'json-not-a-message', protocol: PROTOCOL, frames: [init(valid), random.pick(['[]', '42', 'null', '"x"', '{}', '{"type":5}', '{"type":null}'])] };
    case 2:
      return { kind: 'unknown-type', protocol: PROTOCOL, frames: [init(valid), JSON.stringify({ type: random.pick(['start', 'connection_terminate', 'data', 'SUBSCRIBE', '__proto__']), id: '1', payload: viewer })] };
    case 3:
      return { kind: 'subscribe-before-init', protocol: PROTOCOL, frames: [subscribe('1', viewer)] };
    case 4:
      return { kind: 'init-twice', protocol: PROTOCOL, frames: [init(valid), init(valid)] };
    case 5:
      return { kind: 'bad-auth', protocol: PROTOCOL, frames: [init(random.pick([undefined, '', 'Bearer nope', 42, { $gt: '' }, ['Bearer x'], `Bearer ${'k'.repeat(5000)}`, "Bearer ' OR 1=1 --"]))] };
    case 6:
      return { kind: 'init-payload-wrong-type', protocol: PROTOCOL, frames: [JSON.stringify({ type: 'connection_init', payload: random.pick(['x', 1, [1], true]) })] };
    case 7:
      return { kind: 'duplicate-id', protocol: PROTOCOL, frames: [init(valid), subscribe('same', { query: 'subscription { workflowStatusChanges { id } }' }), subscribe('same', { query: 'subscription { workflowStatusChanges { id } }' })] };
    case 8:
      return { kind: 'subscribe-bad-id', protocol: PROTOCOL, frames: [init(valid), subscribe(random.pick(['', null, 5, {}, longString(100_000)]), viewer)] };
    case 9:
      return {
        kind: 'subscribe-bad-payload',
        protocol: PROTOCOL,
        frames: [init(valid), subscribe('1', random.pick([null, 'x', { query: 5 }, { query: '{ viewer { role } }', variables: 'x' }, { query: '{ viewer { role } }', operationName: 5 }, {}]))],
      };
    case 10:
      return {
        kind: 'subscribe-invalid-graphql',
        protocol: PROTOCOL,
        frames: [
          init(valid),
          subscribe('1', {
            query: random.pick([
              'subscription {',
              'subscription { noSuchField }',
              '{ viewer { role ',
              'subscription { workflowEvents { sequence } }',
              'subscription A { workflowStatusChanges { id } } subscription B { workflowStatusChanges { id } }',
              `subscription { ${Array.from({ length: 50 }, (_, i) => `a${i}: workflowStatusChanges { id }`).join(' ')} }`,
              `subscription { workflowEvents(workflowId: "x") { ${'workflow { events { workflow { '.repeat(8)}id${' } } }'.repeat(8)} } }`,
              'subscription { ...F } fragment F on Subscription { ...F }',
            ]),
          }),
          JSON.stringify({ type: 'ping' }),
        ],
      };
    case 11:
      return {
        kind: 'subscribe-variables-wrong',
        protocol: PROTOCOL,
        frames: [init(valid), subscribe('1', { query: 'subscription ($id: ID!, $after: Int) { workflowEvents(workflowId: $id, afterSequence: $after) { sequence } }', variables: random.pick([{}, { id: null }, { id: 'x', after: 'NaN' }, { id: { $gt: '' } }, { id: 'x', after: 2 ** 40 }]) }), JSON.stringify({ type: 'ping' })],
      };
    case 12:
      return {
        kind: 'other-tenant-workflow',
        protocol: PROTOCOL,
        frames: [init(valid), subscribe('1', { query: `subscription { workflowEvents(workflowId: ${JSON.stringify(keys.otherTenantWorkflowId)}) { sequence type data workflow { input } } }` })],
      };
    case 13:
      return { kind: 'huge-frame', protocol: PROTOCOL, frames: [init(valid), subscribe('1', { query: `{ viewer { role } } #${longString(random.pick([1_100_000, 5_000_000]))}` })] };
    case 14:
      return { kind: 'binary-frame', protocol: PROTOCOL, frames: [random.chance(0.5) ? Buffer.from(init(valid)) : Buffer.from(Array.from({ length: 256 }, () => random.int(0, 255)))] };
    case 15:
      return { kind: 'complete-unknown-id', protocol: PROTOCOL, frames: [init(valid), JSON.stringify({ type: 'complete', id: random.pick(['nope', '__proto__', 'constructor']) }), subscribe('__proto__', viewer), JSON.stringify({ type: 'ping' })] };
    case 16:
      return { kind: 'many-subscriptions', protocol: PROTOCOL, frames: [init(valid), ...Array.from({ length: 100 }, (_, i) => subscribe(`s${i}`, { query: 'subscription { workflowStatusChanges { id } }' }))] };
    default:
      return { kind: 'wrong-subprotocol', protocol: random.pick([null, 'graphql-ws', 'mqtt']), frames: [init(valid), subscribe('1', viewer)] };
  }
}

/**
 * Send a case's frames on a new connection and collect what the server answers until it closes, goes
 * quiet for `quietMs`, or (when given) `done` says the answers it waits for have all come.
 */
export function runWsCase(url: string, testCase: WsCase, quietMs = 400, done?: (outcome: WsOutcome) => boolean): Promise<WsOutcome> {
  return new Promise((resolve) => {
    const socket = testCase.protocol ? new WebSocket(url, testCase.protocol) : new WebSocket(url);
    const outcome: WsOutcome = { closeCode: null, closeReason: '', messages: [] };
    let quiet: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(quiet);
      clearTimeout(overall);
      if (socket.readyState === WebSocket.OPEN) socket.close(1000);
      resolve(outcome);
    };
    const overall = setTimeout(finish, 15_000);
    const waitQuiet = () => {
      clearTimeout(quiet);
      quiet = setTimeout(finish, quietMs);
    };
    socket.on('unexpected-response', (_req, res) => {
      outcome.refused = res.statusCode;
      finish();
    });
    socket.on('error', (error) => {
      outcome.clientError = error.message;
    });
    // After a connection_init the next frame waits for the server's answer, as a real client does.
    const pending = [...testCase.frames];
    let awaitingAck = false;
    const sendNext = () => {
      while (!awaitingAck && pending.length > 0 && socket.readyState === WebSocket.OPEN) {
        const frame = pending.shift()!;
        socket.send(frame);
        awaitingAck = typeof frame === 'string' && frame.includes('"connection_init"');
      }
      waitQuiet();
    };
    socket.on('open', sendNext);
    socket.on('message', (data) => {
      if (awaitingAck) {
        awaitingAck = false;
        setImmediate(sendNext);
      }
      try {
        outcome.messages.push(JSON.parse(String(data)) as WsOutcome['messages'][number]);
      } catch {
        outcome.messages.push({ type: 'unparseable', payload: String(data).slice(0, 200) });
      }
      if (done?.(outcome) && pending.length === 0) finish();
      else waitQuiet();
    });
    socket.on('close', (code, reason) => {
      outcome.closeCode = code;
      outcome.closeReason = String(reason);
      finish();
    });
  });
}
