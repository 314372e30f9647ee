import type { z } from 'zod';
import { END_TARGET, GraphDefinition, NODE_KINDS, type GraphNode } from './graph-definition.ts';
import { templateStrings, templateVariables } from './templates.ts';

/** A graph definition that failed validation; every problem names its path (`definition.nodes.review.next`). */
export class InvalidGraphDefinitionError extends Error {
  override name = 'InvalidGraphDefinitionError';
  constructor(readonly problems: string[]) {
    super(`Invalid graph definition: ${problems.join('; ')}`);
  }
}

/** Where a node may go next, with the definition path that says so (for error messages). */
export interface GraphEdge {
  from: string;
  to: string;
  path: string;
}

const P = 'definition';

/** Nodes started by a fan-out, mapped to the fan-out node that starts them. */
export function fanoutWorkers(definition: GraphDefinition): Map<string, string> {
  const workers = new Map<string, string>();
  for (const [name, node] of Object.entries(definition.nodes)) if (node.kind === 'fanout') workers.set(node.to, name);
  return workers;
}

/** Every edge of the graph, explicit or implied (a fan-out worker without `next` continues to its join). */
export function graphEdges(definition: GraphDefinition): GraphEdge[] {
  const edges: GraphEdge[] = [];
  const workers = fanoutWorkers(definition);
  for (const [name, node] of Object.entries(definition.nodes)) {
    const at = `${P}.nodes.${name}`;
    if (node.kind === 'router') {
      node.routes?.forEach((route, i) => edges.push({ from: name, to: route.to, path: `${at}.routes.${i}.to` }));
      for (const [option, to] of Object.entries(node.choose?.options ?? {})) edges.push({ from: name, to, path: `${at}.choose.options.${option}` });
      edges.push({ from: name, to: node.default, path: `${at}.default` });
      continue;
    }
    if (node.kind === 'fanout') {
      edges.push({ from: name, to: node.to, path: `${at}.to` }, { from: name, to: node.join, path: `${at}.join` });
      continue;
    }
    const next = node.next;
    if (typeof next === 'string') edges.push({ from: name, to: next, path: `${at}.next` });
    else if (Array.isArray(next)) next.forEach((to, i) => edges.push({ from: name, to, path: `${at}.next.${i}` }));
    else if (next) {
      next.routes.forEach((route, i) => edges.push({ from: name, to: route.to, path: `${at}.next.routes.${i}.to` }));
      edges.push({ from: name, to: next.default, path: `${at}.next.default` });
    }
  }
  definition.edges?.forEach((edge, i) => edges.push({ from: edge.from, to: edge.to, path: `${P}.edges.${i}.to` }));
  definition.finish?.forEach((name, i) => edges.push({ from: name, to: END_TARGET, path: `${P}.finish.${i}` }));
  for (const [worker, fanout] of workers) {
    const node = definition.nodes[worker];
    const fan = definition.nodes[fanout];
    if (node && fan?.kind === 'fanout' && !edges.some((e) => e.from === worker)) edges.push({ from: worker, to: fan.join, path: `${P}.nodes.${fanout}.join` });
  }
  return edges;
}

function describeZodIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = [P, ...issue.path.map(String)].join('.');
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'kind') {
    const given = issue.path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined), raw);
    return `${path}: unknown node kind ${JSON.stringify(given)}; use one of ${NODE_KINDS.join(', ')}`;
  }
  // A bad state key or node name: the key's own message says what is wrong with it, not "Invalid key in record".
  if (issue.code === 'invalid_key' && issue.issues[0]) return `${path}: ${issue.issues[0].message}`;
  return `${path}: ${issue.message}`;
}

/** State keys a node writes. */
function writtenKeys(node: GraphNode): Array<{ key: string; path: string }> {
  switch (node.kind) {
    case 'model':
      if (node.writeTo) return [{ key: node.writeTo, path: 'writeTo' }];
      if (node.schema) return Object.keys((node.schema['properties'] as Record<string, unknown> | undefined) ?? {}).map((key) => ({ key, path: `schema.properties.${key}` }));
      return [];
    case 'tool':
    case 'human':
    case 'workflow':
      return [{ key: node.writeTo, path: 'writeTo' }];
    case 'set':
      return Object.keys(node.values).map((key) => ({ key, path: `values.${key}` }));
    default:
      return [];
  }
}

/** Template strings of a node, with the path each sits at. */
function nodeTemplates(node: GraphNode): Array<{ template: string; path: string }> {
  const out: Array<{ template: string; path: string }> = [];
  const add = (template: string | undefined, path: string) => template !== undefined && out.push({ template, path });
  switch (node.kind) {
    case 'model':
      add(node.prompt, 'prompt');
      add(node.system, 'system');
      break;
    case 'router':
      add(node.choose?.prompt, 'choose.prompt');
      add(node.choose?.system, 'choose.system');
      break;
    case 'human':
      add(node.prompt, 'prompt');
      break;
    case 'workflow':
      add(node.input, 'input');
      break;
    case 'tool':
      for (const [arg, value] of Object.entries(node.args)) for (const template of templateStrings(value)) add(template, `args.${arg}`);
      break;
    case 'set':
      for (const [key, value] of Object.entries(node.values)) for (const template of templateStrings(value)) add(template, `values.${key}`);
      break;
    case 'fanout':
      break;
  }
  return out;
}

/** Tarjan's strongly-connected components over the node graph (END excluded). */
function stronglyConnected(nodes: string[], successors: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of successors.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      components.push(component.reverse());
    }
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return components;
}

/**
 * Parse and check a graph definition: the zod schema first, then what a schema cannot say — edges to
 * missing nodes, nodes without a way on, unreachable nodes, cycles with no exit, unknown tools,
 * placeholders and writes naming undeclared state keys, and fan-out workers writing `replace`
 * channels (parallel writes would race). Throws InvalidGraphDefinitionError listing every problem.
 */
export function checkGraphDefinition(raw: unknown, options: { tools: readonly string[] | null }): GraphDefinition {
  const parsed = GraphDefinition.safeParse(raw);
  if (!parsed.success) throw new InvalidGraphDefinitionError(parsed.error.issues.map((issue) => describeZodIssue(issue, raw)));
  const definition = parsed.data;
  const problems: string[] = [];
  const names = Object.keys(definition.nodes);
  const nodeNames = new Set(names);
  const stateKeys = new Set([...Object.keys(definition.state), 'input']);
  const workers = fanoutWorkers(definition);
  const nodeOrEnd = (target: string) => target === END_TARGET || nodeNames.has(target);
  const noSuchNode = (target: string) => `no node named ${JSON.stringify(target)}${closest(target, names)}`;

  for (const reserved of ['END', 'START']) if (nodeNames.has(reserved)) problems.push(`${P}.nodes.${reserved}: "${reserved}" is reserved; rename the node`);
  // LangGraph keeps nodes and state channels in one namespace.
  for (const name of names) if (stateKeys.has(name)) problems.push(`${P}.nodes.${name}: a node cannot have the name of the state key ${JSON.stringify(name)}; rename one of them`);
  if (definition.state['input'] && definition.state['input'].reducer !== 'replace') problems.push(`${P}.state.input.reducer: "input" holds the request text and must use "replace"`);
  if (!nodeNames.has(definition.entry)) problems.push(`${P}.entry: ${noSuchNode(definition.entry)}`);
  definition.edges?.forEach((edge, i) => {
    if (!nodeNames.has(edge.from)) problems.push(`${P}.edges.${i}.from: ${noSuchNode(edge.from)}`);
  });
  definition.finish?.forEach((name, i) => {
    if (!nodeNames.has(name)) problems.push(`${P}.finish.${i}: ${noSuchNode(name)}`);
  });

  const edges = graphEdges(definition);
  for (const edge of edges) if (!nodeOrEnd(edge.to)) problems.push(`${edge.path}: ${noSuchNode(edge.to)}`);

  for (const [name, node] of Object.entries(definition.nodes)) {
    const at = `${P}.nodes.${name}`;
    const scope = new Set(stateKeys);
    const fanout = workers.get(name);
    if (fanout) {
      const fan = definition.nodes[fanout];
      if (fan?.kind === 'fanout') scope.add(fan.as).add('index');
    }
    for (const { template, path } of nodeTemplates(node)) {
      for (const variable of templateVariables(template)) {
        if (!scope.has(variable)) problems.push(`${at}.${path}: {{${variable}}} is not a state key${closest(variable, [...scope])}; declare it under definition.state`);
      }
    }
    for (const { key, path } of writtenKeys(node)) {
      if (!stateKeys.has(key)) problems.push(`${at}.${path}: writes ${JSON.stringify(key)}, which is not a state key${closest(key, [...stateKeys])}; declare it under definition.state`);
      else if (fanout && (definition.state[key]?.reducer ?? 'replace') === 'replace') {
        problems.push(`${at}.${path}: every fan-out worker writes ${JSON.stringify(key)} at once; give definition.state.${key} the reducer "append", "sum" or "merge"`);
      }
    }
    if (node.kind === 'human') node.show?.forEach((key, i) => !stateKeys.has(key) && problems.push(`${at}.show.${i}: ${JSON.stringify(key)} is not a state key`));
    // Without a tool list (a stored run being reloaded) the tools are not checked again: a tool disabled since then answers with an error observation.
    const tools = options.tools;
    if (tools && node.kind === 'tool' && !tools.includes(node.tool)) problems.push(`${at}.tool: no tool named ${JSON.stringify(node.tool)} among the enabled tools of this tenant: ${tools.join(', ')}`);
    if (tools && node.kind === 'model') {
      (node.tools ?? []).forEach((tool, i) => {
        if (!tools.includes(tool)) problems.push(`${at}.tools[${i}]: no tool named ${JSON.stringify(tool)} among the enabled tools of this tenant: ${tools.join(', ')}`);
      });
    }
    if (node.kind === 'router' && !node.routes?.length && !node.choose) problems.push(`${at}: a router needs "routes" (conditions on state) or "choose" (a model-picked option)`);
    if (node.kind === 'router' && node.choose && Object.keys(node.choose.options).length < 2) problems.push(`${at}.choose.options: name at least two options`);
    if (node.kind === 'fanout') {
      if (!stateKeys.has(node.over)) problems.push(`${at}.over: ${JSON.stringify(node.over)} is not a state key`);
      if (node.to === name) problems.push(`${at}.to: a fan-out cannot start itself`);
      for (const [field, key] of [['as', node.as], ['as', 'index']] as const) {
        if (stateKeys.has(key)) problems.push(`${at}.${field}: each worker gets {{${key}}} besides the state, so ${JSON.stringify(key)} cannot also be a state key; rename one of them`);
      }
      const worker = definition.nodes[node.to];
      if (worker && (worker.kind === 'fanout' || worker.kind === 'router')) problems.push(`${at}.to: the worker must be a node that does work, not a ${worker.kind}`);
      if ([...workers.entries()].some(([w, f]) => w === node.to && f !== name)) problems.push(`${at}.to: ${JSON.stringify(node.to)} is already the worker of another fan-out`);
    }
    if (node.kind !== 'router' && node.kind !== 'fanout' && !edges.some((e) => e.from === name)) {
      problems.push(`${at}.next: missing; name the node that comes next, or "END" (or list the node under definition.finish)`);
    }
  }
  if (problems.length > 0) throw new InvalidGraphDefinitionError(problems);

  const successors = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const edge of edges) if (edge.to !== END_TARGET) successors.get(edge.from)?.push(edge.to);

  const reached = new Set<string>([definition.entry]);
  const queue = [definition.entry];
  while (queue.length > 0) for (const next of successors.get(queue.shift()!) ?? []) if (!reached.has(next) && reached.add(next)) queue.push(next);
  for (const name of names) if (!reached.has(name)) problems.push(`${P}.nodes.${name}: unreachable from the entry ${JSON.stringify(definition.entry)}; connect it or remove it`);

  for (const component of stronglyConnected(names, successors)) {
    const members = new Set(component);
    const isCycle = component.length > 1 || (successors.get(component[0]!) ?? []).includes(component[0]!);
    if (!isCycle) continue;
    const exits = edges.some((e) => members.has(e.from) && !members.has(e.to));
    if (!exits) {
      problems.push(`${P}.nodes: the cycle ${[...component, component[0]].join(' → ')} has no exit, so the run could never finish; add a router branch or an edge out of it`);
    }
  }
  if (problems.length > 0) throw new InvalidGraphDefinitionError(problems);
  return definition;
}

/** ` (did you mean "x"?)` for a near miss, else ''. */
function closest(name: string, candidates: string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  // Short names are one edit from almost anything; a suggestion there would be noise.
  return best !== undefined && name.length >= 3 && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? ` (did you mean ${JSON.stringify(best)}?)` : '';
}

/** Edit distance counting a swap of neighbours as one edit ("sya" is one edit from "say"). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
