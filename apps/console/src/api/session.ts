import { SwitchyardClient, type ConnectionState } from '@switchyard/client/browser';

const STORAGE_KEY = 'switchyard.credential';

/** The live connection's state, for every subscription of the page (one graphql-ws connection). */
export class ConnectionStatus {
  private state: ConnectionState | 'idle' = 'idle';
  private readonly listeners = new Set<() => void>();
  private readonly connectedWaiters = new Set<() => void>();

  get current(): ConnectionState | 'idle' {
    return this.state;
  }

  set(state: ConnectionState): void {
    this.state = state;
    if (state === 'connected') {
      for (const waiter of this.connectedWaiters) waiter();
      this.connectedWaiters.clear();
    }
    for (const listener of this.listeners) listener();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Call `then` once the connection is (or next becomes) open. */
  whenConnected(then: () => void): void {
    if (this.state === 'connected') then();
    else this.connectedWaiters.add(then);
  }
}

/** One signed-in credential: an API key or an Entra ID access token, sent as a bearer token. */
export class Session {
  readonly client: SwitchyardClient;
  readonly connection = new ConnectionStatus();

  constructor(readonly credential: string) {
    this.client = new SwitchyardClient({
      url: new URL('/graphql', window.location.href).toString(),
      apiKey: credential,
      webSocketImpl: WebSocket,
      onConnectionChange: (state) => this.connection.set(state),
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** The credential is kept for the browser tab only (sessionStorage), never in localStorage. */
export const storedCredential = (): string | null => window.sessionStorage.getItem(STORAGE_KEY);
export const storeCredential = (credential: string | null): void => {
  if (credential) window.sessionStorage.setItem(STORAGE_KEY, credential);
  else window.sessionStorage.removeItem(STORAGE_KEY);
};
