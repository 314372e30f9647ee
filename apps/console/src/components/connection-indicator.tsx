import { useConnectionState } from '../api/hooks.ts';

/**
 * The live connection (graphql-ws) in the header while a page uses it. A closed connection shows
 * nothing: it also closes when the last live feed ends, and a page that needs one says so itself.
 */
export function ConnectionIndicator() {
  const state = useConnectionState();
  if (state !== 'connected' && state !== 'connecting') return null;
  const label = state === 'connected' ? 'Live' : 'Connecting…';
  return (
    <span className={`connection connection-${state}`} role="status" aria-label={`Live updates: ${label}`}>
      {label}
    </span>
  );
}
