// The typed client for browsers: the same operations and client, with the browser's own WebSocket
// (this entry never imports `ws` or any other Node module).
export * from './generated/graphql.ts';
export { SwitchyardClient, SwitchyardClientError, type ConnectionState, type GraphQLErrorShape, type SwitchyardClientOptions } from './switchyard-client.ts';
