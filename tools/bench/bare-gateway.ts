import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { CONTEXT_HEADER, TenantContext } from '@switchyard/contracts';
import { ContextTokens } from '@switchyard/service-kit';

// The baseline for the gateway benchmark, run as its own process by bare-gateway-process.ts: a plain
// ApolloGateway over the same subgraphs with no authentication, limits or subscriptions. The one
// addition is the minimum the subgraphs demand: a signed tenant context, signed once for the bench
// tenant and re-signed every 30 s (tokens live 60 s), sent as a static header.

const supergraphSdl = readFileSync(process.env.BARE_SUPERGRAPH_PATH!, 'utf8');
const subgraphUrls = JSON.parse(process.env.BARE_SUBGRAPH_URLS!) as Record<string, string>;
const tenant = TenantContext.parse(JSON.parse(process.env.BARE_TENANT_CONTEXT!));
const tokens = new ContextTokens(process.env.SWITCHYARD_CONTEXT_SECRET!);

let contextToken = await tokens.sign(tenant);
setInterval(() => {
  void tokens.sign(tenant).then((token) => {
    contextToken = token;
  });
}, 30_000).unref();

const gateway = new ApolloGateway({
  supergraphSdl,
  buildService: ({ name, url }) =>
    new RemoteGraphQLDataSource({
      url: subgraphUrls[name] ?? url,
      // Node's fetch, the fetcher Apollo's documentation shows; our gateway sends with undici's request
      // instead (decision 028), and that is part of what the comparison measures.
      fetcher: fetch,
      willSendRequest({ request }) {
        request.http?.headers.set(CONTEXT_HEADER, contextToken);
      },
    }),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
process.send?.({ type: 'ready', url });
process.on('SIGTERM', () => {
  void server.stop().finally(() => process.exit(0));
});
