export { classifyAddress, isIpLiteral, type AddressVerdict } from './address-policy.ts';
export { hostMatches, normalizeHost, parseHostList } from './host-patterns.ts';
export {
  OutboundHttpClient,
  OutboundHttpError,
  type HostResolver,
  type OutboundHttpErrorCode,
  type OutboundHttpOptions,
  type OutboundMethod,
  type OutboundRequest,
  type OutboundResponse,
  type ResolvedAddress,
} from './outbound-http-client.ts';
export { allowedHostsOf, describeBody, httpRequestTool, isTextual } from './http-request-tool.ts';
