import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A GraphQL endpoint and the API key the bench presents to it. */
export interface Endpoint {
  url: string;
  apiKey: string;
}

/** POST a raw GraphQL operation (for fields the generated client's documents do not select, such as `at`). */
export async function graphql<T>(endpoint: Endpoint, query: string, variables: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T> {
  const response = await fetch(endpoint.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${endpoint.apiKey}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (body.errors?.length || !body.data) {
    throw new Error(`GraphQL ${response.status}: ${body.errors?.map((e) => `${e.extensions?.code ?? 'ERROR'} ${e.message}`).join('; ') ?? 'no data'}`);
  }
  return body.data;
}

/** Where subscriptions go: a URL and the connection_init payload it needs. */
export interface SubscriptionTarget {
  url: string;
  connectionParams: Record<string, unknown>;
}

/** The gateway as a client sees it: the API key in connectionParams. */
export const viaGateway = (endpoint: Endpoint): SubscriptionTarget => ({ url: endpoint.url, connectionParams: { authorization: `Bearer ${endpoint.apiKey}` } });

/** One graphql-ws connection, resolved once the server acknowledged it. */
export async function connectSubscriptions(target: SubscriptionTarget): Promise<Client> {
  const client = createClient({
    url: target.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: target.connectionParams,
    lazy: false,
    retryAttempts: 0,
    keepAlive: 0,
  });
  await new Promise<void>((resolve, reject) => {
    const offConnected = client.on('connected', () => {
      offConnected();
      offClosed();
      resolve();
    });
    const offClosed = client.on('closed', (event) => {
      offConnected();
      offClosed();
      reject(new Error(`the gateway closed the subscription connection (${(event as { code?: number }).code ?? 'no code'})`));
    });
  });
  return client;
}

/** Run `task` over `items` with at most `concurrency` in flight; results in input order. */
export async function mapConcurrently<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index]!, index);
    }
  });
  await Promise.all(workers);
  return results;
}
