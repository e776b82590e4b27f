import { useId } from 'react';

/**
 * The FREE badge. Its free-tier limits show on hover and on keyboard focus (a tooltip
 * that screen readers read as the badge's description).
 */
export function FreeBadge(props: { limits?: string }) {
  const tip = useId();
  if (!props.limits) return <span className="badge badge-free">FREE</span>;
  return (
    <span className="tip">
      <button type="button" className="badge badge-free" aria-describedby={tip}>
        FREE
      </button>
      <span role="tooltip" id={tip} className="tip-text">
        {props.limits}
      </span>
    </span>
  );
}

const good = new Set(['valid', 'yes', 'live', 'completed', 'answered', 'info']);
const neutral = new Set(['unchecked', 'unknown', 'stale', 'running', 'cleared', 'interrupted']);

/** A status word on a colour that says whether it is good. */
export function StatusBadge(props: { status: string }) {
  const tone = good.has(props.status) ? 'ok' : neutral.has(props.status) ? 'neutral' : 'bad';
  return <span className={`badge badge-${tone}`}>{props.status.replaceAll('_', ' ')}</span>;
}
