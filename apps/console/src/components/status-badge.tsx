const LABELS: Record<string, string> = {
  QUEUED: 'Queued',
  RUNNING: 'Running',
  WAITING_FOR_INPUT: 'Waiting for input',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${status.toLowerCase()}`} data-status={status}>
      {LABELS[status] ?? status}
    </span>
  );
}

export const formatUsd = (usd: number) => (usd < 0.01 && usd > 0 ? `$${usd.toFixed(6)}` : `$${usd.toFixed(usd < 1 ? 4 : 2)}`);
export const formatTime = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
