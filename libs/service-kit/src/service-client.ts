import { CONTEXT_HEADER, ErrorCode, SwitchyardError, UnavailableError, type TenantContext } from '@switchyard/contracts';
import type { ContextTokens } from './context-token.ts';
import { ServiceEndpoints, type EndpointResponse } from './service-endpoints.ts';

/**
 * Calls another subgraph's GraphQL API directly (service to service), on behalf of a tenant context.
 * Errors come back as SwitchyardError with the callee's code, so they can be passed on unchanged.
 */
export class ServiceClient {
  private readonly endpoints: ServiceEndpoints;

  constructor(
    endpoints: ServiceEndpoints | string | readonly string[],
    private readonly tokens: ContextTokens,
    private readonly timeoutMs = 10_000,
  ) {
    this.endpoints = ServiceEndpoints.of(endpoints);
  }

  private get url(): string {
    return this.endpoints.primary;
  }

  async request<T>(query: string, variables: Record<string, unknown>, context: TenantContext): Promise<T> {
    let response: EndpointResponse;
    try {
      response = await this.endpoints.fetch('', {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await this.tokens.sign(context) },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new UnavailableError(`Service at ${this.url} could not be reached: ${(error as Error).message}`);
    }
    const body = (await response.json().catch(() => null)) as {
      data?: T;
      errors?: { message: string; extensions?: { code?: string } }[];
    } | null;
    if (body?.errors?.length) {
      const first = body.errors[0]!;
      throw new SwitchyardError((first.extensions?.code as ErrorCode) ?? ErrorCode.INTERNAL_SERVER_ERROR, first.message);
    }
    if (!body?.data) throw new UnavailableError(`Service at ${this.url} answered HTTP ${response.status} without data.`);
    return body.data;
  }
}
