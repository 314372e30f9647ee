import { ConsoleWorkflowsDocument } from '@switchyard/client/browser';
import { useConsole } from '../api/hooks.ts';
import { useLiveWorkflows } from '../api/live-workflows.ts';
import { FormError } from '../components/field.tsx';
import { formatTime } from '../components/status-badge.tsx';
import { AnswerForm } from '../inbox/answer-form.tsx';
import { Link } from '../router.tsx';

/** Every workflow of the tenant waiting for a person, on any engine, kept current live. */
export function InboxPage() {
  const { session } = useConsole();
  const { rows, error, live } = useLiveWorkflows(
    async () => {
      const all = [];
      let after: string | null | undefined;
      for (;;) {
        const { workflows } = await session.client.request(ConsoleWorkflowsDocument, { first: 100, after, status: 'WAITING_FOR_INPUT' });
        all.push(...workflows.edges.map((e) => e.node));
        if (!workflows.pageInfo.hasNextPage) return all;
        after = workflows.pageInfo.endCursor;
      }
    },
    (w) => w.status === 'WAITING_FOR_INPUT',
    [],
  );
  return (
    <>
      <h1>Inbox</h1>
      <p className="muted">
        Workflows waiting for a person, on every engine. {live ? 'Updated live.' : 'Connecting for live updates…'}
      </p>
      <FormError message={error?.message} />
      {rows && rows.length === 0 ? (
        <p className="card" data-testid="inbox-empty">
          Nothing is waiting for you.
        </p>
      ) : null}
      <ul className="inbox" data-testid="inbox">
        {(rows ?? []).map((w) => (
          <li key={`${w.id}-${w.updatedAt}`} className="card" data-workflow={w.id}>
            <div className="card-head">
              <h2>
                <Link to={`/runs/${encodeURIComponent(w.id)}`}>{w.input.length > 90 ? `${w.input.slice(0, 89)}…` : w.input}</Link>
              </h2>
              <span className="pill">{w.framework}</span>
            </div>
            <p className="muted small">Waiting since {formatTime(w.updatedAt)}</p>
            <AnswerForm workflowId={w.id} pendingInput={w.pendingInput} />
          </li>
        ))}
      </ul>
    </>
  );
}

