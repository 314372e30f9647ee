import { GraphQLError, getOperationAST, getVariableValues, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { ErrorCode } from '@switchyard/contracts';
import { withoutArmorSyntaxPrefix } from '../requests/request-refusals.ts';

export interface WsOperationLimits {
  /** Tokens a document may have before parsing stops (the HTTP endpoint's limit). */
  maxTokens: number;
  /** Validation rules beyond GraphQL's own (depth, aliases, cost). */
  rules: readonly ValidationRule[];
}

export interface WsExecutionArgs {
  schema: GraphQLSchema;
  document: DocumentNode;
  variableValues: Record<string, unknown>;
  operationName: string | undefined;
}

/**
 * A graphql-ws subscribe message's operation, parsed, validated and with its variables coerced as
 * the HTTP endpoint does it, or the refusals with their codes. graphql-ws on its own closes the
 * whole connection (4500) on a syntax error and sends validation and variable errors without a code.
 */
export function prepareWsOperation(
  schema: GraphQLSchema,
  payload: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null },
  limits: WsOperationLimits,
): GraphQLError[] | WsExecutionArgs {
  let document: DocumentNode;
  try {
    document = parse(payload.query, { maxTokens: limits.maxTokens });
  } catch (error) {
    return [withCode(error, 'GRAPHQL_PARSE_FAILED')];
  }
  const invalid = validate(schema, document, [...specifiedRules, ...limits.rules]);
  if (invalid.length > 0) return invalid.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED', withoutArmorSyntaxPrefix({ message: error.message }).message));
  const operationName = payload.operationName ?? undefined;
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    const message = operationName
      ? `The document has no operation named "${operationName}"; set operationName to one of its operations.`
      : 'The document has several operations; set operationName to the one to run.';
    return [new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })];
  }
  const variables = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 20 });
  if (variables.errors) return variables.errors.map((error) => withCode(error, ErrorCode.BAD_USER_INPUT));
  return { schema, document, variableValues: variables.coerced, operationName };
}

function withCode(error: unknown, code: string, message?: string): GraphQLError {
  if (!(error instanceof GraphQLError)) return new GraphQLError(String((error as Error)?.message ?? error), { extensions: { code } });
  return new GraphQLError(message ?? error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions: { ...error.extensions, code: error.extensions.code ?? code } });
}
