import { useId, useMemo } from 'react';
import { LAYOUT, layoutGraph, type GraphNodeBox } from '../structure/graph-layout.ts';

/** The LangGraph graph a run follows, with the nodes it completed and the one it is at. */
export function GraphPicture({ graph, current, visited }: { graph: Record<string, unknown>; current: string | null; visited: ReadonlySet<string> }) {
  const id = useId();
  const layout = useMemo(() => layoutGraph(graph), [graph]);
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  const { nodeWidth: w, nodeHeight: h } = LAYOUT;
  const stateOf = (n: GraphNodeBox) => (n.id === current ? 'current' : visited.has(n.id) ? 'visited' : 'pending');
  return (
    <div className="graph-picture">
      <svg viewBox={`0 0 ${layout.width} ${layout.height}`} width={layout.width} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>Graph of the run</title>
        <desc id={`${id}-d`}>
          {`${layout.nodes.length - 1} nodes${current ? `; current node: ${current}` : ''}; completed: ${[...visited].join(', ') || 'none'}.`}
        </desc>
        <defs>
          <marker id={`${id}-arrow`} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="graph-arrow" />
          </marker>
        </defs>
        {layout.edges.map((e) => {
          const a = byId.get(e.from)!;
          const b = byId.get(e.to)!;
          const x1 = a.x + w / 2;
          const x2 = b.x + w / 2;
          const path = e.back
            ? `M ${a.x + w} ${a.y + h / 2} C ${a.x + w + 60} ${a.y + h / 2}, ${b.x + w + 60} ${b.y + h / 2}, ${b.x + w} ${b.y + h / 2}`
            : `M ${x1} ${a.y + h} C ${x1} ${a.y + h + 24}, ${x2} ${b.y - 24}, ${x2} ${b.y}`;
          return (
            <g key={`${e.from}-${e.to}-${e.label ?? ''}`} className={`graph-edge${visited.has(e.from) && (visited.has(e.to) || e.to === current) ? ' graph-edge-taken' : ''}`}>
              <path d={path} markerEnd={`url(#${id}-arrow)`} />
              {e.label ? (
                // Past the middle, towards the target: labels of edges leaving one router spread apart.
                <text
                  x={e.back ? a.x + w + 36 : x1 + (x2 - x1) * 0.6}
                  y={e.back ? (a.y + b.y + h) / 2 : a.y + h + (b.y - a.y - h) * 0.6}
                  textAnchor="middle"
                  className="graph-edge-label"
                >
                  {e.label.length > 26 ? `${e.label.slice(0, 25)}…` : e.label}
                </text>
              ) : null}
            </g>
          );
        })}
        {layout.nodes.map((n) => (
          <g key={n.id} className={`graph-node graph-node-${stateOf(n)} graph-kind-${n.kind}`} data-node={n.id} data-state={stateOf(n)}>
            <rect x={n.x} y={n.y} width={w} height={h} rx={n.kind === 'terminal' ? h / 2 : 6} />
            <text x={n.x + w / 2} y={n.y + 17} textAnchor="middle" className="graph-node-name">
              {n.id.length > 20 ? `${n.id.slice(0, 19)}…` : n.id}
            </text>
            {n.kind !== 'terminal' ? (
              <text x={n.x + w / 2} y={n.y + 32} textAnchor="middle" className="graph-node-kind">
                {n.kind}
              </text>
            ) : null}
          </g>
        ))}
      </svg>
    </div>
  );
}
