import { useCallback, useEffect, useRef, useState } from 'react';
import { ConsoleWorkflowStatusChangesDocument, type ConsoleWorkflowSummaryFragment } from '@switchyard/client/browser';
import { applyStatusChange, mergeInitial } from '../runs/workflow-list.ts';
import { useConsole } from './hooks.ts';

export type WorkflowRow = ConsoleWorkflowSummaryFragment;

/**
 * A list of the tenant's workflows kept current by the workflowStatusChanges subscription: the
 * query's answer, with every status change since merged in. After a lost connection the
 * subscription is opened again and the list queried again (changes are only sent from subscribing on).
 */
export function useLiveWorkflows(query: () => Promise<WorkflowRow[]>, matches: (w: WorkflowRow) => boolean, deps: readonly unknown[]) {
  const { session } = useConsole();
  const [rows, setRows] = useState<WorkflowRow[] | undefined>();
  const [error, setError] = useState<Error>();
  const [live, setLive] = useState(false);
  const buffered = useRef<WorkflowRow[] | null>(null);
  const matchesRef = useRef(matches);
  matchesRef.current = matches;
  const queryRef = useRef(query);
  queryRef.current = query;

  const refresh = useCallback(async () => {
    buffered.current = [];
    try {
      const initial = await queryRef.current();
      setRows(mergeInitial(initial, buffered.current ?? [], (w) => matchesRef.current(w)));
      setError(undefined);
    } catch (e) {
      setError(e as Error);
    } finally {
      buffered.current = null;
    }
  }, []);

  useEffect(() => {
    void refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  useEffect(() => {
    const stop = new AbortController();
    void (async () => {
      while (!stop.signal.aborted) {
        const iterator = session.client.subscribe(ConsoleWorkflowStatusChangesDocument, {});
        session.connection.whenConnected(() => {
          if (stop.signal.aborted) return;
          setLive(true);
          // Changes are sent from subscribing on: what changed while the connection was down comes from the query.
          void refresh();
        });
        stop.signal.addEventListener('abort', () => void iterator.return?.(), { once: true });
        try {
          for await (const { workflowStatusChanges: changed } of iterator) {
            buffered.current?.push(changed);
            setRows((current) => (current ? applyStatusChange(current, changed, (w) => matchesRef.current(w)) : current));
          }
        } catch {
          // The connection was lost: reconnect below.
        }
        if (stop.signal.aborted) break;
        setLive(false);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    return () => stop.abort();
  }, [session, refresh]);

  return { rows, error, live, refresh };
}
