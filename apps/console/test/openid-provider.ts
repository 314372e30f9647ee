import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';

/**
 * A real OpenID Connect provider on loopback (panva's oidc-provider, a certified implementation)
 * standing where Microsoft Entra ID stands in production: it signs users in on its own pages
 * (oidc-provider's development login and consent forms), redeems authorization codes with PKCE for
 * a public client, and issues JWT access tokens for one API with the claims Entra ID puts in them
 * (`tid`, the tenant; `roles`, the app roles).
 *
 * It listens before it is configured, because the redirect URI (the console's origin) is known only
 * once the platform it signs in to has started with this provider's issuer.
 */
export async function startOpenIdProvider(options: { audience: string; clientId: string }) {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    /** Accept sign-ins for `redirectUri`; tokens carry `claims` (e.g. { tid, roles }). */
    configure(redirectUri: string, claims: Record<string, unknown>) {
      const configuration: Configuration = {
        clients: [{ client_id: options.clientId, token_endpoint_auth_method: 'none', redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
        clientBasedCORS: () => true,
        pkce: { required: () => true },
        cookies: { keys: ['switchyard-console-test-cookie-key'] },
        features: {
          devInteractions: { enabled: true },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => options.audience,
            useGrantedResource: () => true,
            getResourceServerInfo: () => ({ scope: '', audience: options.audience, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'RS256' } } }),
          },
        },
        extraTokenClaims: () => claims,
      };
      const provider = new Provider(issuer, configuration);
      handler = provider.callback();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
