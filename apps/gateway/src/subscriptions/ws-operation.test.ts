import { describe, expect, it } from 'vitest';
import { buildSchema, GraphQLError } from 'graphql';
import { prepareWsOperation } from './ws-operation.ts';

const schema = buildSchema(`
  type Query { viewer: String }
  type Event { sequence: Int! }
  type Subscription { workflowEvents(workflowId: ID!, afterSequence: Int): Event! }
`);
const limits = { maxTokens: 50, rules: [] };
const codes = (result: ReturnType<typeof prepareWsOperation>) => (Array.isArray(result) ? result.map((e) => e.extensions.code) : []);

describe('prepareWsOperation', () => {
  it('answers a syntax error with GRAPHQL_PARSE_FAILED instead of failing the connection', () => {
    expect(codes(prepareWsOperation(schema, { query: 'subscription {' }, limits))).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(codes(prepareWsOperation(schema, { query: '{ viewer(a: "\\ud800") }' }, limits))).toEqual(['GRAPHQL_PARSE_FAILED']);
  });

  it('stops parsing past the token limit', () => {
    const result = prepareWsOperation(schema, { query: `{ ${'viewer '.repeat(60)}}` }, limits);
    expect(codes(result)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect((result as GraphQLError[])[0]!.message).toMatch(/tokens/);
  });

  it('gives validation errors GRAPHQL_VALIDATION_FAILED and variable errors BAD_USER_INPUT', () => {
    expect(codes(prepareWsOperation(schema, { query: 'subscription { workflowEvents { sequence } }' }, limits))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const query = 'subscription ($id: ID!, $after: Int) { workflowEvents(workflowId: $id, afterSequence: $after) { sequence } }';
    expect(codes(prepareWsOperation(schema, { query, variables: { id: null } }, limits))).toEqual(['BAD_USER_INPUT']);
    expect(codes(prepareWsOperation(schema, { query, variables: { id: 'w', after: 2 ** 40 } }, limits))).toEqual(['BAD_USER_INPUT']);
  });

  it('asks for operationName when the document has several operations', () => {
    const result = prepareWsOperation(schema, { query: 'query A { viewer } query B { viewer }' }, limits);
    expect(codes(result)).toEqual(['OPERATION_RESOLUTION_FAILURE']);
  });

  it('returns coerced variables for a valid operation', () => {
    const result = prepareWsOperation(schema, { query: 'subscription ($id: ID!) { workflowEvents(workflowId: $id) { sequence } }', variables: { id: 7 } }, limits);
    expect(Array.isArray(result)).toBe(false);
    expect(!Array.isArray(result) && result.variableValues).toEqual({ id: '7' });
  });
});
