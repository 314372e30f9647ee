import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { print, type DocumentNode, type ExecutionResult } from 'graphql';
import { CONTEXT_HEADER, type TenantContext } from '@switchyard/contracts';
import type { ContextTokens } from '@switchyard/service-kit';

/**
 * Runs a client's subscription on the subgraph that owns the root subscription field, over
 * graphql-ws, authenticated with a freshly signed tenant context. Each event is returned as the
 * subgraph resolved it.
 */
export async function* forwardSubscription(
  subgraphUrl: string,
  tokens: ContextTokens,
  tenant: TenantContext,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
): AsyncGenerator<ExecutionResult> {
  const token = await tokens.sign(tenant);
  const client: Client = createClient({
    url: subgraphUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { [CONTEXT_HEADER]: token },
    lazy: true,
    retryAttempts: 0,
  });
  const iterator = client.iterate<Record<string, unknown>>({ query: print(document), variables: variables ?? undefined, operationName: operationName ?? undefined });
  try {
    for await (const result of iterator) yield result as ExecutionResult;
  } finally {
    await iterator.return?.(undefined);
    await client.dispose();
  }
}
