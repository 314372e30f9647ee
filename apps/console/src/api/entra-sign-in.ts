import * as oauth from 'oauth4webapi';

/** What the gateway says about signing in with Entra ID (GET /auth/config); null: API keys only. */
export interface EntraConfig {
  issuer: string;
  clientId: string;
  /** Space-separated. */
  scopes: string;
  /** A resource indicator (RFC 8707), for servers that issue tokens per resource. */
  resource?: string;
}

const PENDING_KEY = 'switchyard.entra-sign-in';
export const CALLBACK_PATH = '/auth/callback';

export async function loadEntraConfig(): Promise<EntraConfig | null> {
  const response = await fetch('/auth/config', { headers: { accept: 'application/json' } });
  if (!response.ok) return null;
  return ((await response.json()) as { entraId: EntraConfig | null }).entraId;
}

const redirectUri = () => new URL(CALLBACK_PATH, window.location.origin).toString();
/** http is allowed only for an issuer on this machine (a local identity provider); Entra ID is https. */
const insecureAllowed = (issuer: URL) => issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);

async function discover(config: EntraConfig): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(config.issuer);
  const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', [oauth.allowInsecureRequests]: insecureAllowed(issuer) });
  return oauth.processDiscoveryResponse(issuer, response);
}

/**
 * Go to the identity provider's sign-in page: the authorization code flow with PKCE for a public
 * client (no secret in the browser). The verifier, state and nonce wait in sessionStorage for the
 * provider's redirect back to /auth/callback.
 */
export async function startEntraSignIn(config: EntraConfig, returnTo: string): Promise<void> {
  const server = await discover(config);
  if (!server.authorization_endpoint) throw new Error(`${config.issuer} publishes no authorization endpoint.`);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  window.sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, nonce, returnTo }));
  const url = new URL(server.authorization_endpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', config.scopes);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  if (config.resource) url.searchParams.set('resource', config.resource);
  window.location.assign(url.toString());
}

/**
 * Finish on /auth/callback: check the state, redeem the code with the verifier at the token
 * endpoint, check the ID token, and return the access token (the gateway's bearer credential) with
 * where to go next.
 */
export async function finishEntraSignIn(config: EntraConfig, callback: URL): Promise<{ accessToken: string; returnTo: string }> {
  const pending = window.sessionStorage.getItem(PENDING_KEY);
  window.sessionStorage.removeItem(PENDING_KEY);
  if (!pending) throw new Error('This sign-in was not started from this browser tab; sign in again.');
  const { verifier, state, nonce, returnTo } = JSON.parse(pending) as { verifier: string; state: string; nonce: string; returnTo: string };
  const server = await discover(config);
  const client: oauth.Client = { client_id: config.clientId };
  const parameters = oauth.validateAuthResponse(server, client, callback, state);
  const response = await oauth.authorizationCodeGrantRequest(server, client, oauth.None(), parameters, redirectUri(), verifier, {
    [oauth.allowInsecureRequests]: insecureAllowed(new URL(config.issuer)),
    ...(config.resource ? { additionalParameters: { resource: config.resource } } : {}),
  });
  const tokens = await oauth.processAuthorizationCodeResponse(server, client, response, { expectedNonce: nonce, requireIdToken: config.scopes.split(/\s+/).includes('openid') });
  return { accessToken: tokens.access_token, returnTo: returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/' };
}
