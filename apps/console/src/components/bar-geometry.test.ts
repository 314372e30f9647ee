import { describe, expect, it } from 'vitest';
import { barGeometry } from './bar-geometry.ts';

describe('bar geometry', () => {
  const o = { width: 500, barHeight: 20, gap: 5, labelWidth: 100, valueWidth: 100 };
  it('scales bars to the largest value inside the room between label and value', () => {
    const g = barGeometry([2, 1, 0], o);
    expect(g.bars.map((b) => b.width)).toEqual([300, 150, 0]);
    expect(g.bars.map((b) => b.y)).toEqual([0, 25, 50]);
    expect(g.height).toBe(70);
  });
  it('draws tiny values visibly and nothing for an all-zero series', () => {
    expect(barGeometry([1000, 0.001], o).bars[1]!.width).toBe(1);
    expect(barGeometry([0, 0], o).bars.map((b) => b.width)).toEqual([0, 0]);
  });
});
