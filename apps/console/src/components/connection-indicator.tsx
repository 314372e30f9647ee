import { useConnectionState } from '../api/hooks.ts';

/** The live connection (graphql-ws) as one word in the header; idle until a page subscribes. */
export function ConnectionIndicator() {
  const state = useConnectionState();
  if (state === 'idle') return null;
  const label = state === 'connected' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Offline';
  return (
    <span className={`connection connection-${state}`} role="status" aria-label={`Live updates: ${label}`}>
      {label}
    </span>
  );
}
