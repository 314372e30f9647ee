import { useId } from 'react';
import { barGeometry } from './bar-geometry.ts';

/** A horizontal bar chart in SVG with the same figures as a table for screen readers. */
export function BarChart({ title, rows, format }: { title: string; rows: Array<{ label: string; value: number; detail?: string }>; format: (v: number) => string }) {
  const id = useId();
  if (rows.length === 0) return <p className="muted">No usage in this period.</p>;
  const geometry = barGeometry(rows.map((r) => r.value), { width: 560, barHeight: 22, gap: 8, labelWidth: 150, valueWidth: 90 });
  return (
    <figure className="chart">
      <svg width="100%" viewBox={`0 0 560 ${geometry.height}`} role="img" aria-labelledby={`${id}-t`}>
        <title id={`${id}-t`}>{title}</title>
        {rows.map((row, i) => {
          const bar = geometry.bars[i]!;
          return (
            <g key={row.label}>
              <text x={0} y={bar.y + 16} className="chart-label">
                {row.label.length > 22 ? `${row.label.slice(0, 21)}…` : row.label}
              </text>
              <rect x={bar.x} y={bar.y} width={bar.width} height={bar.height} rx={3} className="chart-bar" />
              <text x={bar.x + bar.width + 6} y={bar.y + 16} className="chart-value">
                {format(row.value)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="sr-only">
        <table>
          <caption>{title}</caption>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label}>
                <th scope="row">{row.label}</th>
                <td>{format(row.value)}</td>
                {row.detail ? <td>{row.detail}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </figcaption>
    </figure>
  );
}
