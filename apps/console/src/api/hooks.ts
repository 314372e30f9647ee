import { createContext, useCallback, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ConsoleViewerQuery, Role } from '@switchyard/client/browser';
import type { Session } from './session.ts';

export type Viewer = ConsoleViewerQuery['viewer'];

export interface ConsoleContextValue {
  session: Session;
  viewer: Viewer;
  /** Ask the API for the viewer again (after branding changes). */
  reloadViewer: () => Promise<void>;
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole outside the signed-in console');
  return value;
}

const RANK: Record<Role, number> = { VIEWER: 0, DEVELOPER: 1, TENANT_ADMIN: 2, PLATFORM_ADMIN: 3 };

/** Whether the signed-in role may do what needs at least `role`. */
export function useAllowed(role: Role): boolean {
  const { viewer } = useConsole();
  return RANK[viewer.role] >= RANK[role];
}

export function useConnectionState() {
  const { session } = useConsole();
  return useSyncExternalStore(session.connection.subscribe, () => session.connection.current);
}

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/** Run `load` now and whenever `deps` change; `reload` runs it again. Answers of stale runs are ignored. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await loadRef.current();
      if (mine === generation.current) setState({ data, loading: false });
    } catch (error) {
      if (mine === generation.current) setState((s) => ({ data: s.data, error: error as Error, loading: false }));
    }
  }, []);
  useEffect(() => {
    void reload();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
