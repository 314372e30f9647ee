import { describe, expect, it } from 'vitest';
import { END_NODE, START_NODE, graphEdges, graphProgress, layoutGraph } from './graph-layout.ts';

// The shape of the insurance-claim template as Workflow.graph returns it (trimmed to what the layout reads).
const claim = {
  entry: 'extract_claim',
  nodes: {
    extract_claim: { kind: 'model', next: 'check_coverage' },
    check_coverage: { kind: 'model', next: 'route_claim' },
    route_claim: {
      kind: 'router',
      routes: [
        { when: { key: 'coverage.covered', op: 'eq', value: false }, to: 'deny' },
        { when: { key: 'amount', op: 'gt', value: 25000 }, to: 'adjuster_review' },
      ],
      default: 'compute_payout',
    },
    adjuster_review: { kind: 'human', next: { routes: [{ when: { key: 'decision.approved', op: 'eq', value: true }, to: 'compute_payout' }], default: 'deny' } },
    compute_payout: { kind: 'tool', next: 'pay_out' },
    pay_out: { kind: 'set', next: 'write_letter' },
    deny: { kind: 'set', next: 'write_letter' },
    write_letter: { kind: 'model', next: 'END' },
  },
};

describe('graph layout', () => {
  it('draws every edge of next, routes and defaults, with readable route labels', () => {
    const edges = graphEdges(claim);
    expect(edges).toContainEqual({ from: START_NODE, to: 'extract_claim' });
    expect(edges).toContainEqual({ from: 'route_claim', to: 'adjuster_review', label: 'amount > 25000' });
    expect(edges).toContainEqual({ from: 'route_claim', to: 'compute_payout', label: 'otherwise' });
    expect(edges).toContainEqual({ from: 'adjuster_review', to: 'deny', label: 'otherwise' });
    expect(edges).toContainEqual({ from: 'write_letter', to: END_NODE });
    expect(edges).toHaveLength(12);
  });

  it('puts each node below every node that leads to it, END last, without overlaps', () => {
    const layout = layoutGraph(claim);
    const layer = Object.fromEntries(layout.nodes.map((n) => [n.id, n.layer]));
    expect(layer).toMatchObject({ START: 0, extract_claim: 1, check_coverage: 2, route_claim: 3, adjuster_review: 4, compute_payout: 5, deny: 5, pay_out: 6, write_letter: 7, END: 8 });
    const boxes = layout.nodes.map((n) => `${n.x},${n.y}`);
    expect(new Set(boxes).size).toBe(boxes.length);
    for (const n of layout.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(0);
      expect(n.x + 150).toBeLessThanOrEqual(layout.width);
      expect(n.y + 40).toBeLessThanOrEqual(layout.height);
    }
    expect(layout.edges.filter((e) => e.back)).toEqual([]);
  });

  it('marks loops as back edges and keeps fan-out workers and joins', () => {
    const loop = {
      entry: 'plan',
      nodes: {
        plan: { kind: 'fanout', over: 'steps', to: 'work', join: 'review' },
        work: { kind: 'model' },
        review: { kind: 'router', routes: [{ when: { key: 'done', op: 'eq', value: false }, to: 'plan' }], default: 'END' },
      },
    };
    const layout = layoutGraph(loop);
    expect(layout.edges).toContainEqual({ from: 'plan', to: 'work', label: 'each steps', back: false });
    expect(layout.edges).toContainEqual({ from: 'review', to: 'plan', label: 'done = false', back: true });
  });

  it('follows the run: completed nodes, and the node a human is asked at as current', () => {
    const events = [
      { type: 'STEP_STARTED', step: 'extract_claim' },
      { type: 'STEP_COMPLETED', step: 'extract_claim' },
      { type: 'STEP_STARTED', step: 'route_claim' },
      { type: 'STEP_COMPLETED', step: 'route_claim' },
      { type: 'STEP_STARTED', step: 'adjuster_review' },
      { type: 'WAITING_FOR_INPUT', step: 'adjuster_review' },
    ];
    const waiting = graphProgress(events);
    expect(waiting.current).toBe('adjuster_review');
    expect([...waiting.visited]).toEqual(['extract_claim', 'route_claim']);
    expect(graphProgress([...events, { type: 'STEP_COMPLETED', step: 'adjuster_review' }, { type: 'WORKFLOW_SUCCEEDED', step: null }]).current).toBeNull();
  });
});
