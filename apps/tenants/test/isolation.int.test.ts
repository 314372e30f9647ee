import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';
import {
  CreateApiKeyDocument,
  CreateTenantDocument,
  IngestDocumentDocument,
  RecommendFrameworkDocument,
  SetBudgetDocument,
  StartWorkflowDocument,
  TenantDocument,
  WorkflowDocument,
  WorkflowEventsDocument,
  ViewerDocument,
  KnowledgeSearchDocument,
} from '@switchyard/client';
import { eventually, startTestStack, type TestStack } from '@switchyard/testkit';

const API = buildSchema(readFileSync(fileURLToPath(new URL('../../../libs/client/schema.graphql', import.meta.url)), 'utf8'));
const MARKER = 'ISOLATION-PROBE-7f3a';

/** A selection of every scalar field of a type, and of its object fields' scalars, two levels deep. */
function selectionFor(type: GraphQLOutputType, depth = 0): string {
  const named = getNamedType(type);
  if (!isObjectType(named)) return '';
  const fields = Object.values(named.getFields()).filter((f) => f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined));
  const parts = fields.flatMap((field) => {
    const inner = getNamedType(field.type);
    if (isScalarType(inner) || isEnumType(inner)) return [field.name];
    if (depth < 1 && isObjectType(inner)) {
      const sub = selectionFor(field.type, depth + 1);
      return sub ? [`${field.name} ${sub}`] : [];
    }
    return [];
  });
  return `{ __typename ${parts.join(' ')} }`;
}

/** A value for an argument: the other tenant's ids wherever an ID goes, plausible values elsewhere. */
function valueFor(type: GraphQLInputType, id: string): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [valueFor(nullable.ofType as GraphQLInputType, id)];
  if (isEnumType(nullable)) return nullable.getValues()[0]!.value;
  if (isInputObjectType(nullable)) {
    return Object.fromEntries(Object.values(nullable.getFields()).filter((f) => isNonNullType(f.type)).map((f) => [f.name, valueFor(f.type, id)]));
  }
  switch (nullable.toString()) {
    case 'ID':
      return id;
    case 'String':
      // Free text: B's own records must not echo A's ids back as if they leaked.
      return 'probe';
    case 'Int':
      return 1;
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'DateTime':
      return '2030-01-01T00:00:00Z';
    default:
      return { id };
  }
}

function operationFor(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, args: readonly GraphQLArgument[]): string {
  const variables = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const call = args.length ? `(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})` : '';
  return `${kind} Probe${variables ? `(${variables})` : ''} { ${field.name}${call} ${selectionFor(field.type)} }`;
}

describe('tenant isolation: every field of the supergraph, called by another tenant with the first tenant\'s ids', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('returns nothing of the first tenant and changes nothing of it', async () => {
    // Tenant A (the dev tenant) has data in every service.
    const a = stack.client();
    const { startWorkflow } = await a.request(StartWorkflowDocument, { input: { input: `${MARKER} Process insurance claim #555`, framework: 'LANGGRAPH' } });
    const { ingestDocument } = await a.request(IngestDocumentDocument, { input: { title: `${MARKER} policy`, content: `${MARKER} claims above 25000 need approval` } });
    await a.request(SetBudgetDocument, { input: { monthlyLimitUsd: 123, hardLimit: true } });
    const { createApiKey } = await a.request(CreateApiKeyDocument, { input: { name: `${MARKER} key`, role: 'DEVELOPER' } });
    await a.request(RecommendFrameworkDocument, { input: { description: `${MARKER} route tickets` } });
    const before = await eventually(async () => {
      const { workflow } = await a.request(WorkflowDocument, { id: startWorkflow.id });
      return workflow?.status === 'SUCCEEDED' ? workflow : undefined;
    }, 60_000, 200);
    const aIds = [stack.tenantId, startWorkflow.id, ingestDocument.id, createApiKey.apiKey.id, 'monthly'];

    // Tenant B, a tenant admin of its own tenant.
    const { createTenant } = await stack.client(stack.adminKey).request(CreateTenantDocument, { input: { name: 'Curious Corp' } });
    const leaks: string[] = [];
    const calls: string[] = [];
    const send = async (query: string, variables: Record<string, unknown>) => {
      for (;;) {
        const response = await fetch(stack.gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${createTenant.secret}` },
          body: JSON.stringify({ query, variables }),
        });
        if (response.status === 429) {
          await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)));
          continue;
        }
        return response.text();
      }
    };
    for (const kind of ['query', 'mutation'] as const) {
      const root = kind === 'query' ? API.getQueryType()! : API.getMutationType()!;
      for (const field of Object.values(root.getFields())) {
        if (field.name === 'createTenant') continue; // platform admins only; refused below on its own
        for (const id of field.args.length > 0 ? aIds : aIds.slice(0, 1)) {
          const variables = Object.fromEntries(field.args.map((arg) => [arg.name, valueFor(arg.type, id)]));
          const body = await send(operationFor(kind, field, field.args), variables);
          calls.push(`${kind}.${field.name}(${id})`);
          const leaked = [MARKER, ...aIds.filter((x) => x !== 'monthly' && x !== id)].filter((secret) => body.includes(secret));
          // The probe's own id may be echoed in an error message; nothing else of A may appear.
          if (leaked.length > 0) leaks.push(`${kind}.${field.name} with ${id}: ${leaked.join(', ')} in ${body.slice(0, 300)}`);
          if (body.includes('"tenantId"') && body.includes(stack.tenantId)) leaks.push(`${kind}.${field.name}: tenant id of A in ${body.slice(0, 300)}`);
        }
      }
    }
    expect(calls.length).toBeGreaterThan(100);
    expect(leaks).toEqual([]);

    // The subscription refuses another tenant's workflow.
    const b = stack.client(createTenant.secret);
    const denied = await (async () => {
      for await (const _ of b.subscribe(WorkflowEventsDocument, { workflowId: startWorkflow.id })) return 'received an event';
      return 'completed without error';
    })().catch((error: { code?: string }) => error.code);
    expect(denied).toBe('NOT_FOUND');
    await b.close();

    // Nothing of A changed.
    const { workflow: after } = await a.request(WorkflowDocument, { id: startWorkflow.id });
    expect(after?.status).toBe('SUCCEEDED');
    expect(after?.events.length).toBe(before.events.length);
    expect((await a.request(KnowledgeSearchDocument, { query: 'claims approval' })).knowledgeSearch[0]?.documentId).toBe(ingestDocument.id);
    expect((await a.request(TenantDocument, { id: stack.tenantId })).tenant?.budget).toMatchObject({ monthlyLimitUsd: 123, hardLimit: true });
    expect((await stack.client(createApiKey.secret).request(ViewerDocument)).viewer.role).toBe('DEVELOPER');
    expect((await a.request(ViewerDocument)).viewer.tenant?.id).toBe(stack.tenantId);
  });
});
