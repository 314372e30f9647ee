import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/** A failed operation: the HTTP status and the GraphQL errors, whose extensions.code is stable. */
export class SwitchyardClientError extends Error {
  constructor(
    readonly status: number,
    readonly errors: GraphQLErrorShape[],
  ) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; ') || `HTTP ${status}`);
  }
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

/** The state of the client's graphql-ws connection, as reported to `onConnectionChange`. */
export type ConnectionState = 'connecting' | 'connected' | 'closed';

export interface SwitchyardClientOptions {
  /** The gateway's GraphQL URL, e.g. http://localhost:4000/graphql. */
  url: string;
  /** An API key or an Entra ID access token (sent as Authorization: Bearer <credential>). */
  apiKey?: string;
  /** The WebSocket implementation for subscriptions: `ws` in Node (the default entry), the browser's own in browsers. */
  webSocketImpl?: unknown;
  /** Told when the subscription connection opens or closes (a closed connection fails its subscriptions; subscribe again to resume). */
  onConnectionChange?: (state: ConnectionState) => void;
}

/**
 * A small typed client for the Switchyard API: every operation is a TypedDocumentNode generated
 * from the supergraph by graphql-codegen, so results and variables are checked at compile time.
 */
export class SwitchyardClient {
  private ws: Client | undefined;
  constructor(private readonly options: SwitchyardClientOptions) {}

  async request<TResult, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...[variables]: TVariables extends Record<string, never> ? [] | [TVariables] : [TVariables]
  ): Promise<TResult> {
    const response = await fetch(this.options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
      },
      body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
    });
    const body = (await response.json().catch(() => ({ errors: [{ message: `HTTP ${response.status} without a JSON body` }] }))) as {
      data?: TResult;
      errors?: GraphQLErrorShape[];
    };
    if (body.errors?.length || !body.data) throw new SwitchyardClientError(response.status, body.errors ?? []);
    return body.data;
  }

  /** Subscribe over graphql-ws; iterate the results, break to unsubscribe. */
  subscribe<TResult, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
  ): AsyncIterableIterator<TResult> {
    const report = this.options.onConnectionChange;
    this.ws ??= createClient({
      url: this.options.url.replace(/^http/, 'ws'),
      ...(this.options.webSocketImpl ? { webSocketImpl: this.options.webSocketImpl } : {}),
      connectionParams: this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {},
      retryAttempts: 0,
      ...(report ? { on: { connecting: () => report('connecting'), connected: () => report('connected'), closed: () => report('closed') } } : {}),
    });
    const iterator = this.ws.iterate<TResult>({ query: print(document), variables });
    return (async function* () {
      for await (const result of iterator) {
        if (result.errors?.length) throw new SwitchyardClientError(200, result.errors as GraphQLErrorShape[]);
        yield result.data as TResult;
      }
    })();
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
  }
}
