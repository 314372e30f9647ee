import WebSocket from 'ws';
import { SwitchyardClient as BaseClient, type SwitchyardClientOptions } from './switchyard-client.ts';

export * from './generated/graphql.ts';
export { SwitchyardClientError, type ConnectionState, type GraphQLErrorShape, type SwitchyardClientOptions } from './switchyard-client.ts';

/** The typed client for Node: subscriptions use the `ws` package unless another WebSocket is given. */
export class SwitchyardClient extends BaseClient {
  constructor(options: SwitchyardClientOptions) {
    super({ webSocketImpl: WebSocket, ...options });
  }
}
