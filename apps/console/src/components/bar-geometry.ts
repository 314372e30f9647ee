export interface BarGeometry {
  bars: Array<{ x: number; y: number; width: number; height: number }>;
  height: number;
}

/** Bars scaled to the largest value (a zero-only series draws no bar), one row each. */
export function barGeometry(values: readonly number[], o: { width: number; barHeight: number; gap: number; labelWidth: number; valueWidth: number }): BarGeometry {
  const max = Math.max(0, ...values);
  const room = Math.max(0, o.width - o.labelWidth - o.valueWidth);
  return {
    bars: values.map((v, i) => ({ x: o.labelWidth, y: i * (o.barHeight + o.gap), width: max > 0 ? Math.max(v > 0 ? 1 : 0, (Math.max(0, v) / max) * room) : 0, height: o.barHeight })),
    height: Math.max(o.barHeight, values.length * (o.barHeight + o.gap) - o.gap),
  };
}
