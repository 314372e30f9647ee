/**
 * Lay out a LangGraph definition ({entry, nodes}, as Workflow.graph returns it) for an SVG picture:
 * nodes in layers by their longest distance from the entry (loops' back edges drawn aside),
 * edges from each node's `next`, router routes, fan-out workers and joins, and top-level `edges`.
 */
export interface GraphNodeBox {
  id: string;
  kind: string;
  layer: number;
  x: number;
  y: number;
}

export interface GraphEdgeLine {
  from: string;
  to: string;
  label?: string;
  /** true when the edge goes back to an earlier (or the same) layer: a loop. */
  back: boolean;
}

export interface GraphLayout {
  nodes: GraphNodeBox[];
  edges: GraphEdgeLine[];
  width: number;
  height: number;
}

export const END_NODE = 'END';
export const START_NODE = 'START';

export const LAYOUT = { nodeWidth: 150, nodeHeight: 40, columnGap: 30, rowGap: 46, margin: 16 } as const;

type RawNode = Record<string, unknown>;

function targetsOf(next: unknown): Array<{ to: string; label?: string }> {
  if (typeof next === 'string') return [{ to: next }];
  if (Array.isArray(next)) return next.filter((t): t is string => typeof t === 'string').map((to) => ({ to }));
  if (next && typeof next === 'object') {
    const conditional = next as { routes?: Array<{ to?: unknown; when?: unknown }>; default?: unknown };
    const routes = (conditional.routes ?? []).filter((r) => typeof r.to === 'string').map((r) => ({ to: r.to as string, label: conditionLabel(r.when) }));
    return typeof conditional.default === 'string' ? [...routes, { to: conditional.default, label: 'otherwise' }] : routes;
  }
  return [];
}

function conditionLabel(when: unknown): string | undefined {
  if (!when || typeof when !== 'object') return undefined;
  const c = when as { key?: unknown; op?: unknown; value?: unknown };
  if (typeof c.key !== 'string') return undefined;
  const ops: Record<string, string> = { eq: '=', ne: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤' };
  const op = typeof c.op === 'string' ? (ops[c.op] ?? c.op) : '?';
  return `${c.key} ${op} ${JSON.stringify(c.value)}`;
}

/** The graph's edges, START → entry first; duplicates (same from, to and label) once. */
export function graphEdges(graph: { entry?: unknown; nodes?: unknown; edges?: unknown }): Array<{ from: string; to: string; label?: string }> {
  const nodes = (graph.nodes && typeof graph.nodes === 'object' ? graph.nodes : {}) as Record<string, RawNode>;
  const edges: Array<{ from: string; to: string; label?: string }> = [];
  if (typeof graph.entry === 'string') edges.push({ from: START_NODE, to: graph.entry });
  for (const [name, node] of Object.entries(nodes)) {
    for (const t of targetsOf(node['next'])) edges.push({ from: name, ...t });
    if (node['kind'] === 'router') {
      for (const t of targetsOf({ routes: node['routes'], default: node['default'] })) edges.push({ from: name, ...t });
      const choose = node['choose'] as { options?: Record<string, unknown> } | undefined;
      for (const [option, to] of Object.entries(choose?.options ?? {})) if (typeof to === 'string') edges.push({ from: name, to, label: option });
    }
    if (node['kind'] === 'fanout') {
      if (typeof node['to'] === 'string') edges.push({ from: name, to: node['to'], label: `each ${String(node['over'] ?? 'item')}` });
      if (typeof node['join'] === 'string') edges.push({ from: name, to: node['join'], label: 'join' });
    }
  }
  if (Array.isArray(graph.edges)) {
    for (const e of graph.edges as Array<{ from?: unknown; to?: unknown }>) if (typeof e.from === 'string' && typeof e.to === 'string') edges.push({ from: e.from, to: e.to });
  }
  const seen = new Set<string>();
  return edges.filter((e) => {
    const key = `${e.from}\u0000${e.to}\u0000${e.label ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function layoutGraph(graph: { entry?: unknown; nodes?: unknown; edges?: unknown }): GraphLayout {
  const rawNodes = (graph.nodes && typeof graph.nodes === 'object' ? graph.nodes : {}) as Record<string, RawNode>;
  const edges = graphEdges(graph);
  const names = [START_NODE, ...Object.keys(rawNodes)];
  if (edges.some((e) => e.to === END_NODE)) names.push(END_NODE);
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);

  // Edges that close a loop (to a node on the current depth-first path) are back edges; the rest
  // form a DAG whose longest path from START gives each node its layer, so every forward edge points down.
  const back = new Set<string>();
  const onPath = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string) => {
    onPath.add(name);
    for (const to of out.get(name) ?? []) {
      if (onPath.has(to)) back.add(`${name}\u0000${to}`);
      else if (!done.has(to)) visit(to);
    }
    onPath.delete(name);
    done.add(name);
  };
  visit(START_NODE);
  for (const name of names) if (!done.has(name)) visit(name);
  const forward = edges.filter((e) => !back.has(`${e.from}\u0000${e.to}`));
  const layer = new Map<string, number>(names.map((n) => [n, 0]));
  // Longest path by relaxation: at most one pass per node in a DAG.
  for (let pass = 0; pass < names.length; pass += 1) {
    let changed = false;
    for (const e of forward) {
      const candidate = (layer.get(e.from) ?? 0) + 1;
      if (layer.has(e.to) && candidate > layer.get(e.to)!) {
        layer.set(e.to, candidate);
        changed = true;
      }
    }
    if (!changed) break;
  }
  if (names.includes(END_NODE)) layer.set(END_NODE, Math.max(...names.filter((n) => n !== END_NODE).map((n) => layer.get(n)!)) + 1);

  const rows = new Map<number, string[]>();
  for (const name of names) rows.set(layer.get(name)!, [...(rows.get(layer.get(name)!) ?? []), name]);
  const widest = Math.max(...[...rows.values()].map((r) => r.length));
  const { nodeWidth, nodeHeight, columnGap, rowGap, margin } = LAYOUT;
  const width = margin * 2 + widest * nodeWidth + (widest - 1) * columnGap;
  const boxes: GraphNodeBox[] = [];
  for (const [row, members] of [...rows.entries()].sort((a, b) => a[0] - b[0])) {
    const rowWidth = members.length * nodeWidth + (members.length - 1) * columnGap;
    const left = (width - rowWidth) / 2;
    members.forEach((id, i) => {
      boxes.push({
        id,
        kind: id === START_NODE || id === END_NODE ? 'terminal' : String(rawNodes[id]?.['kind'] ?? 'node'),
        layer: row,
        x: left + i * (nodeWidth + columnGap),
        y: margin + row * (nodeHeight + rowGap),
      });
    });
  }
  const rowCount = rows.size;
  return {
    nodes: boxes,
    edges: edges.filter((e) => layer.has(e.from) && layer.has(e.to)).map((e) => ({ ...e, back: back.has(`${e.from}\u0000${e.to}`) })),
    width,
    height: margin * 2 + rowCount * nodeHeight + (rowCount - 1) * rowGap,
  };
}

/**
 * Where a LangGraph run is, from its events: the nodes that completed, and the current node (the
 * last one started and not completed, or the node a human is asked at).
 */
export function graphProgress(events: ReadonlyArray<{ type: string; step?: string | null }>): { current: string | null; visited: Set<string> } {
  const visited = new Set<string>();
  const open: string[] = [];
  let current: string | null = null;
  for (const e of events) {
    if (!e.step) continue;
    if (e.type === 'STEP_STARTED') {
      open.push(e.step);
      current = e.step;
    } else if (e.type === 'STEP_COMPLETED') {
      visited.add(e.step);
      const index = open.lastIndexOf(e.step);
      if (index >= 0) open.splice(index, 1);
      current = open.at(-1) ?? null;
    } else if (e.type === 'WAITING_FOR_INPUT') {
      current = e.step;
    }
  }
  const last = events.at(-1);
  // A failed run keeps the node it failed in as current.
  if (last && (last.type === 'WORKFLOW_SUCCEEDED' || last.type === 'WORKFLOW_CANCELLED')) current = null;
  return { current, visited };
}
