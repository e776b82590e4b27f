/**
 * Two small hand-made SVG charts: a line over time and horizontal bars. Each has a text
 * alternative, since a chart alone says nothing to a screen reader.
 */

/** Values over time (oldest first), drawn as a line on a 0..max scale. */
export function LineChart(props: {
  label: string;
  values: number[];
  max: number;
  unit: string;
  width?: number;
  height?: number;
}) {
  const width = props.width ?? 320;
  const height = props.height ?? 80;
  const count = Math.max(props.values.length, 2);
  const points = props.values
    .map((value, index) => {
      const x = (index / (count - 1)) * width;
      const y = height - (Math.min(value, props.max) / props.max) * (height - 4) - 2;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  const last = props.values.at(-1);
  const summary =
    last === undefined
      ? `${props.label}: no samples yet`
      : `${props.label}: now ${last.toFixed(0)} ${props.unit}, ${props.values.length} sample${props.values.length === 1 ? '' : 's'}`;
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        height={height}
        role="img"
        aria-label={summary}
        preserveAspectRatio="none"
      >
        <line x1="0" y1={height - 1} x2={width} y2={height - 1} className="chart-axis" />
        {props.values.length > 1 && <polyline points={points} className="chart-line" />}
      </svg>
      <figcaption>{summary}</figcaption>
    </figure>
  );
}

/** Labelled horizontal bars, longest value the full width. */
export function BarChart(props: {
  label: string;
  bars: Array<{ label: string; value: number; text: string }>;
}) {
  const max = Math.max(...props.bars.map((bar) => bar.value), 1);
  const rowHeight = 26;
  const height = props.bars.length * rowHeight;
  return (
    <figure className="chart">
      <figcaption>{props.label}</figcaption>
      <svg
        viewBox={`0 0 400 ${height}`}
        width="100%"
        height={height}
        preserveAspectRatio="xMinYMin meet"
        role="img"
        aria-label={`${props.label}: ${props.bars.map((bar) => `${bar.label} ${bar.text}`).join('; ')}`}
      >
        {props.bars.map((bar, index) => {
          const y = index * rowHeight;
          const width = Math.max(2, (bar.value / max) * 160);
          return (
            <g key={bar.label}>
              <text x="0" y={y + 17} className="chart-label">
                {bar.label.length > 26 ? `${bar.label.slice(0, 25)}…` : bar.label}
              </text>
              <rect x="170" y={y + 5} width={width} height={16} rx="2" className="chart-bar" />
              <text x={175 + width} y={y + 17} className="chart-value">
                {bar.text}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** A share of something as a bar with its words beside it. */
export function Meter(props: { label: string; used: number; total: number; text: string }) {
  const share = props.total > 0 ? Math.min(1, props.used / props.total) : 0;
  const tone = share > 0.9 ? 'bad' : share > 0.75 ? 'warn' : 'ok';
  return (
    <div className="meter">
      <div className="meter-head" aria-hidden="true">
        <span>{props.label}</span>
        <span>{props.text}</span>
      </div>
      <meter
        className="visually-hidden"
        aria-label={props.label}
        min={0}
        max={Math.max(props.total, 1)}
        value={Math.max(0, props.used)}
      >
        {props.text}
      </meter>
      <div className="meter-track" aria-hidden="true">
        <div className={`meter-fill meter-${tone}`} style={{ width: `${share * 100}%` }} />
      </div>
    </div>
  );
}

const seriesColours = ['#1d4ed8', '#b45309', '#047857', '#9d174d', '#4338ca', '#0f766e'];

/** Several series over the same labels (days), each a coloured line with a legend. */
export function MultiLineChart(props: {
  label: string;
  labels: string[];
  series: Array<{ name: string; values: Array<number | null> }>;
  max: number;
  format(value: number): string;
}) {
  const width = 480;
  const height = 140;
  const left = 36;
  const count = Math.max(props.labels.length, 2);
  const x = (index: number) => left + (index / (count - 1)) * (width - left - 8);
  const y = (value: number) =>
    height - 18 - (Math.min(value, props.max) / props.max) * (height - 28);
  const summary = props.series
    .map((line) => {
      const last = [...line.values].reverse().find((value) => value !== null);
      return `${line.name}: ${last === undefined || last === null ? 'no data' : props.format(last)}`;
    })
    .join('; ');
  return (
    <figure className="chart">
      <figcaption>{props.label}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        height={height}
        preserveAspectRatio="xMinYMin meet"
        role="img"
        aria-label={`${props.label}, latest: ${summary}`}
      >
        <line x1={left} y1={height - 18} x2={width} y2={height - 18} className="chart-axis" />
        <text x="0" y={y(props.max) + 4} className="chart-value">
          {props.format(props.max)}
        </text>
        <text x="0" y={height - 14} className="chart-value">
          {props.format(0)}
        </text>
        {props.labels.map((label, index) =>
          index === 0 || index === props.labels.length - 1 ? (
            <text
              key={label}
              x={x(index)}
              y={height - 2}
              className="chart-value"
              textAnchor={index === 0 ? 'start' : 'end'}
            >
              {label}
            </text>
          ) : null,
        )}
        {props.series.map((line, index) => {
          const colour = seriesColours[index % seriesColours.length];
          const points = line.values.flatMap((value, position) =>
            value === null ? [] : [`${x(position).toFixed(1)},${y(value).toFixed(1)}`],
          );
          return (
            <g key={line.name}>
              {points.length > 1 && (
                <polyline points={points.join(' ')} fill="none" stroke={colour} strokeWidth="2" />
              )}
              {points.map((point) => {
                const [cx, cy] = point.split(',');
                return <circle key={point} cx={cx} cy={cy} r="3" fill={colour} />;
              })}
            </g>
          );
        })}
      </svg>
      <ul className="legend">
        {props.series.map((line, index) => (
          <li key={line.name}>
            <span
              className="swatch"
              style={{ background: seriesColours[index % seriesColours.length] }}
            />
            {line.name}
          </li>
        ))}
      </ul>
    </figure>
  );
}
