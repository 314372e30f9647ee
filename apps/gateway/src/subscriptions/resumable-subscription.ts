import {
  Kind,
  parse,
  print,
  type ArgumentNode,
  type FieldNode,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
} from 'graphql';

/**
 * A subscription field whose events carry a position, and which can be asked to start after one:
 * such a subscription survives the loss of its upstream connection (a subgraph replica that stops
 * or dies) by subscribing again, elsewhere, after the last position delivered.
 */
export interface ResumableField {
  /** The field's argument that means "events after this position". */
  cursorArgument: string;
  /** The field of each event that holds its position (increasing). */
  cursorField: string;
}

/** The supergraph's resumable subscription fields. */
export const RESUMABLE_FIELDS: Record<string, ResumableField> = {
  workflowEvents: { cursorArgument: 'afterSequence', cursorField: 'sequence' },
};

const CURSOR_VARIABLE = '__resumeAfter';

export interface ResumablePrimary {
  /** The primary operation with the cursor argument bound to a variable of its own. */
  operation: string;
  cursorVariable: string;
  /** Where the subscriber asked to start (null: from the beginning). */
  initialCursor: number | null;
  /** The response key of the root field, under which each event's data arrives. */
  responseKey: string;
  cursorField: string;
}

/**
 * Rewrite a subscription's primary fetch (as the query planner wrote it) so that the cursor argument
 * is a variable the gateway controls and every event selects its position; null when the root field
 * is not resumable.
 */
export function resumablePrimary(operation: string, variables: Record<string, unknown>, fields = RESUMABLE_FIELDS): ResumablePrimary | null {
  const document = parse(operation);
  const definition = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const root = definition?.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && !s.name.value.startsWith('__'));
  if (!definition || !root || definition.selectionSet.selections.length !== 1) return null;
  const config = fields[root.name.value];
  if (!config) return null;

  const given = root.arguments?.find((a) => a.name.value === config.cursorArgument);
  let initialCursor: number | null = null;
  if (given?.value.kind === Kind.VARIABLE) {
    const value = variables[given.value.name.value];
    initialCursor = typeof value === 'number' ? value : null;
  } else if (given?.value.kind === Kind.INT) {
    initialCursor = Number.parseInt(given.value.value, 10);
  }

  const cursorArgument: ArgumentNode = {
    kind: Kind.ARGUMENT,
    name: { kind: Kind.NAME, value: config.cursorArgument },
    value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: CURSOR_VARIABLE } },
  };
  const selections = root.selectionSet?.selections ?? [];
  const selectsCursor = selections.some((s) => s.kind === Kind.FIELD && !s.alias && s.name.value === config.cursorField);
  const rewrittenRoot: FieldNode = {
    ...root,
    arguments: [...(root.arguments ?? []).filter((a) => a.name.value !== config.cursorArgument), cursorArgument],
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: selectsCursor ? selections : [...selections, { kind: Kind.FIELD, name: { kind: Kind.NAME, value: config.cursorField } }],
    },
  };
  const cursorDefinition: VariableDefinitionNode = {
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: CURSOR_VARIABLE } },
    type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'Int' } },
  };
  // A variable the subscriber used only for the cursor would now be unused, which GraphQL refuses.
  const stillUsed = new Set<string>();
  const collect = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const value = node as { kind?: string; name?: { value: string } };
    if (value.kind === Kind.VARIABLE && value.name) stillUsed.add(value.name.value);
    for (const [key, child] of Object.entries(node)) if (key !== 'loc' && child && typeof child === 'object') collect(child);
  };
  collect(rewrittenRoot);
  const rewritten: OperationDefinitionNode = {
    ...definition,
    variableDefinitions: [...(definition.variableDefinitions ?? []).filter((v) => stillUsed.has(v.variable.name.value) && v.variable.name.value !== CURSOR_VARIABLE), cursorDefinition],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [rewrittenRoot] },
  };
  return {
    operation: print({ ...document, definitions: document.definitions.map((d) => (d === definition ? rewritten : d)) }),
    cursorVariable: CURSOR_VARIABLE,
    initialCursor,
    responseKey: root.alias?.value ?? root.name.value,
    cursorField: config.cursorField,
  };
}

/**
 * Whether an upstream subscription error is the connection going away (a replica stopping or dying,
 * a refused connection), after which subscribing again elsewhere is right, rather than an answer
 * (GraphQL errors, or a close code of the protocol's 44xx refusals).
 */
export function isConnectionLoss(error: unknown): boolean {
  if (Array.isArray(error)) return false;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return !(code >= 4400 && code < 4499);
  return true;
}
