import { useEffect, useMemo, useRef, useState } from 'react';
import {
  CancelWorkflowDocument,
  ConsoleCheckpointsDocument,
  ConsoleForkWorkflowDocument,
  ConsoleWorkflowDocument,
  ConsoleWorkflowEventsDocument,
  type ConsoleWorkflowEventsSubscription,
  type ConsoleWorkflowQuery,
} from '@switchyard/client/browser';
import { useAllowed, useConsole, useLoad } from '../api/hooks.ts';
import { Field, FormError, Section } from '../components/field.tsx';
import { GraphPicture } from '../components/graph-picture.tsx';
import { StatusBadge, formatTime, formatUsd } from '../components/status-badge.tsx';
import { formErrorsOf, NO_ERRORS, type FormErrors } from '../forms/field-errors.ts';
import { AnswerForm } from '../inbox/answer-form.tsx';
import { Link, navigate } from '../router.tsx';
import { graphProgress } from '../structure/graph-layout.ts';
import { chatStructure, crewStructure } from '../structure/team-structure.ts';
import { EventTimeline } from '../timeline/event-timeline.ts';
import { followEvents, type FeedState } from '../timeline/follow-events.ts';

type RunEvent = ConsoleWorkflowEventsSubscription['workflowEvents'];
const TERMINAL_STATUSES = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export function RunPage({ id }: { id: string }) {
  const { session } = useConsole();
  const workflow = useLoad(async () => (await session.client.request(ConsoleWorkflowDocument, { id })).workflow, [id]);
  const [events, setEvents] = useState<readonly RunEvent[]>([]);
  const [feed, setFeed] = useState<FeedState>({ kind: 'connecting' });
  const refreshTimer = useRef<ReturnType<typeof setTimeout>>(undefined);

  useEffect(() => {
    const stop = new AbortController();
    const timeline = new EventTimeline<RunEvent>();
    setEvents([]);
    const refreshSoon = (ms: number) => {
      clearTimeout(refreshTimer.current);
      refreshTimer.current = setTimeout(() => void workflow.reload(), ms);
    };
    void followEvents<RunEvent>({
      timeline,
      signal: stop.signal,
      subscribe: (afterSequence, opened) => {
        const iterator = session.client.subscribe(ConsoleWorkflowEventsDocument, { workflowId: id, afterSequence: afterSequence ?? null });
        session.connection.whenConnected(opened);
        return (async function* () {
          for await (const result of iterator) yield result.workflowEvents;
        })();
      },
      onEvent: (event, t) => {
        setEvents([...t.events]);
        refreshSoon(t.finished || event.type === 'WAITING_FOR_INPUT' ? 0 : 400);
      },
      onState: (state) => {
        // A run stopped by leaving the page (or by StrictMode's second mount) must not overwrite the current one's state.
        if (stop.signal.aborted) return;
        setFeed(state);
        // Billing records the last model calls just after the terminal event: ask for the cost again.
        if (state.kind === 'complete') for (const ms of [1500, 4000]) setTimeout(() => !stop.signal.aborted && void workflow.reload(), ms);
      },
    });
    return () => {
      stop.abort();
      clearTimeout(refreshTimer.current);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, session]);

  const w = workflow.data;
  if (workflow.loading && !w) return <p className="muted">Loading…</p>;
  if (workflow.error && !w) return <FormError message={workflow.error.message} />;
  if (!w)
    return (
      <div className="card" data-testid="run-not-found">
        <h1>Workflow not found</h1>
        <p>There is no workflow {id} for your tenant.</p>
        <Link to="/">Back to runs</Link>
      </div>
    );
  return (
    <>
      <p className="crumbs">
        <Link to="/">Runs</Link> / {w.id}
      </p>
      <div className="run-head">
        <h1>{w.input.length > 100 ? `${w.input.slice(0, 99)}…` : w.input}</h1>
        <div className="row">
          <StatusBadge status={w.status} />
          <span className="pill">{w.framework}</span>
          <span className="muted">started {formatTime(w.createdAt)}</span>
          <CancelButton id={w.id} status={w.status} onDone={() => void workflow.reload()} />
        </div>
        {w.recommendation ? (
          <p className="muted small">
            Recommended: {w.recommendation.framework} ({Math.round(w.recommendation.confidence * 100)}%): {w.recommendation.rationale}
          </p>
        ) : null}
      </div>
      {w.status === 'WAITING_FOR_INPUT' ? (
        <Section title="Waiting for your answer">
          <AnswerForm key={`${w.id}-${w.updatedAt}`} workflowId={w.id} pendingInput={w.pendingInput} onAnswered={() => void workflow.reload()} />
        </Section>
      ) : null}
      <div className="grid-2">
        <Section title="Live timeline" actions={<FeedBadge feed={feed} count={events.length} />}>
          <Timeline events={events} />
        </Section>
        <div className="stack">
          <Section title="Structure">
            <Structure framework={w.framework} graph={w.graph} events={events} />
          </Section>
          <Section title="Output">
            {w.error ? <p className="form-error">{w.error}</p> : null}
            {w.output ? <pre className="output" data-testid="run-output">{w.output}</pre> : <p className="muted">{TERMINAL_STATUSES.includes(w.status) ? 'No output.' : 'Not finished yet.'}</p>}
          </Section>
          <Section title="Cost">
            <CostTable cost={w.cost} />
          </Section>
        </div>
      </div>
      {w.framework === 'LANGGRAPH' ? <Checkpoints id={w.id} status={w.status} /> : null}
    </>
  );
}

function FeedBadge({ feed, count }: { feed: FeedState; count: number }) {
  const text =
    feed.kind === 'live'
      ? 'Live'
      : feed.kind === 'connecting'
        ? 'Connecting…'
        : feed.kind === 'reconnecting'
          ? `Reconnecting… (will resume after event ${feed.afterSequence})`
          : feed.kind === 'complete'
            ? `Complete: ${count} events`
            : 'Stopped';
  return (
    <span className={`feed feed-${feed.kind}`} role="status" data-testid="feed-state" data-state={feed.kind}>
      {text}
    </span>
  );
}

function Timeline({ events }: { events: readonly RunEvent[] }) {
  const list = useRef<HTMLOListElement>(null);
  const following = useRef(true);
  // Keep the newest event in view while the person has not scrolled up to read older ones.
  useEffect(() => {
    if (following.current && list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [events]);
  if (events.length === 0) return <p className="muted">No events yet.</p>;
  return (
    <ol
      className="timeline"
      data-testid="timeline"
      tabIndex={0}
      aria-label="Events of the workflow"
      ref={list}
      onScroll={(e) => {
        const el = e.currentTarget;
        following.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
    >
      {events.map((e) => (
        <li key={e.sequence} data-sequence={e.sequence} data-type={e.type} className={`event event-${e.type.toLowerCase()}`}>
          <span className="seq">#{e.sequence}</span>
          <span className="etype">{e.type}</span>
          {e.step || e.agent ? <span className="where">{[e.step, e.agent].filter(Boolean).join(' · ')}</span> : null}
          <time dateTime={e.at}>{new Date(e.at).toLocaleTimeString()}</time>
          {e.message ? <div className="msg">{e.message.length > 300 ? `${e.message.slice(0, 299)}…` : e.message}</div> : null}
        </li>
      ))}
    </ol>
  );
}

function Structure({ framework, graph, events }: { framework: string; graph: unknown; events: readonly RunEvent[] }) {
  const progress = useMemo(() => graphProgress(events), [events]);
  const crew = useMemo(() => crewStructure(events), [events]);
  const chat = useMemo(() => chatStructure(events), [events]);
  if (framework === 'LANGGRAPH') {
    const g = graph as { kind?: string; nodes?: unknown } | null;
    if (g && g.nodes) return <GraphPicture graph={g as Record<string, unknown>} current={progress.current} visited={progress.visited} />;
    if (g?.kind === 'plan-and-execute')
      return <p>A plan-and-execute graph: the planner writes the steps, an executor runs each{progress.current ? `; now at ${progress.current}` : ''}.</p>;
    return <p className="muted">The engine has not reported the graph yet.</p>;
  }
  if (framework === 'CREWAI' || (framework === 'HYBRID' && crew.tasks.length > 0)) {
    if (crew.agents.length === 0 && crew.tasks.length === 0) return <p className="muted">No crew activity yet.</p>;
    return (
      <div className="crew" data-testid="crew-structure">
        <h3>Agents</h3>
        <ul className="inline-list">
          {crew.agents.map((a) => (
            <li key={a} className="pill">
              {a}
            </li>
          ))}
        </ul>
        <h3>Tasks</h3>
        <ol>
          {crew.tasks.map((t) => (
            <li key={t.name}>
              <strong>{t.name}</strong> by {t.agent ?? 'unassigned'} — {t.state}
            </li>
          ))}
        </ol>
        {crew.delegations.length > 0 ? (
          <>
            <h3>Delegations</h3>
            <ul>
              {crew.delegations.map((d) => (
                <li key={`${d.from}-${d.to}-${d.task}`}>
                  {d.from} → {d.to}
                  {d.task ? ` (task ${d.task})` : ''}
                  {d.count > 1 ? ` ×${d.count}` : ''}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    );
  }
  if (chat.speakers.length === 0) return <p className="muted">No participants have spoken yet.</p>;
  return (
    <div className="chat" data-testid="chat-structure">
      <h3>Speakers</h3>
      <ul>
        {chat.speakers.map((s) => (
          <li key={s.name}>
            <strong>{s.name}</strong>: {s.messages} message{s.messages === 1 ? '' : 's'}
            {chat.next === s.name ? ' (speaks next)' : ''}
          </li>
        ))}
      </ul>
      <p className="muted small">Turns: {chat.turns.join(' → ')}</p>
    </div>
  );
}

type Cost = NonNullable<ConsoleWorkflowQuery['workflow']>['cost'];

function CostTable({ cost }: { cost: Cost }) {
  return (
    <div data-testid="run-cost">
      <p>
        <strong data-testid="run-cost-total">{formatUsd(cost.totalUsd)}</strong> for {cost.modelCalls} model call{cost.modelCalls === 1 ? '' : 's'} ({cost.inputTokens} input,{' '}
        {cost.outputTokens} output tokens{cost.estimatedModelCalls > 0 ? `; ${cost.estimatedModelCalls} estimated` : ''})
      </p>
      {cost.byAgent.length > 0 ? (
        <table className="table">
          <caption className="sr-only">Cost by agent</caption>
          <thead>
            <tr>
              <th scope="col">Agent or node</th>
              <th scope="col">Calls</th>
              <th scope="col">Tokens in / out</th>
              <th scope="col">Cost</th>
            </tr>
          </thead>
          <tbody>
            {cost.byAgent.map((a) => (
              <tr key={a.agent}>
                <td>{a.agent}</td>
                <td>{a.modelCalls}</td>
                <td>
                  {a.inputTokens} / {a.outputTokens}
                </td>
                <td>{formatUsd(a.totalUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

function CancelButton({ id, status, onDone }: { id: string; status: string; onDone: () => void }) {
  const { session } = useConsole();
  const allowed = useAllowed('DEVELOPER');
  const [error, setError] = useState<string | null>(null);
  if (!allowed || TERMINAL_STATUSES.includes(status)) return null;
  return (
    <>
      <button
        type="button"
        className="danger"
        onClick={() => {
          if (!window.confirm('Cancel this workflow?')) return;
          session.client.request(CancelWorkflowDocument, { id }).then(onDone, (e: Error) => setError(e.message));
        }}
      >
        Cancel run
      </button>
      <FormError message={error} />
    </>
  );
}

function Checkpoints({ id, status }: { id: string; status: string }) {
  const { session } = useConsole();
  const canFork = useAllowed('DEVELOPER');
  const checkpoints = useLoad(async () => (await session.client.request(ConsoleCheckpointsDocument, { id })).workflow?.checkpoints ?? [], [id, status]);
  const [forking, setForking] = useState<string | null>(null);
  const [values, setValues] = useState('{}');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const fork = async (checkpointId: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(values || '{}');
    } catch (e) {
      setErrors({ fields: { values: `Not valid JSON: ${(e as Error).message}` }, form: null });
      return;
    }
    try {
      const { forkWorkflow } = await session.client.request(ConsoleForkWorkflowDocument, { input: { workflowId: id, checkpointId, values: parsed } });
      navigate(`/runs/${encodeURIComponent(forkWorkflow.workflowId)}`);
    } catch (e) {
      setErrors(formErrorsOf(e, ['values']));
    }
  };
  const list = checkpoints.data ?? [];
  return (
    <Section title="Checkpoints (time travel)">
      {list.length === 0 ? <p className="muted">No checkpoints yet.</p> : null}
      <ol className="checkpoints" data-testid="checkpoints">
        {list.map((c) => (
          <li key={c.id}>
            <div className="row">
              <span>
                Step {c.step} · next: {c.next.length > 0 ? c.next.join(', ') : 'finished'} · {formatTime(c.createdAt)}
              </span>
              {canFork ? (
                <button type="button" onClick={() => (setForking(forking === c.id ? null : c.id), setValues('{}'), setErrors(NO_ERRORS))} aria-expanded={forking === c.id}>
                  Fork from here…
                </button>
              ) : null}
            </div>
            <details>
              <summary>State at this step</summary>
              <pre className="mono">{JSON.stringify(c.values, null, 2)}</pre>
            </details>
            {forking === c.id ? (
              <div className="stack fork">
                <Field label="State changes (JSON)" error={errors.fields['values']} hint={`Keys: ${Object.keys((c.values ?? {}) as object).join(', ')}`}>
                  <textarea rows={3} className="mono" value={values} onChange={(e) => setValues(e.target.value)} />
                </Field>
                <FormError message={errors.form} />
                <button type="button" className="primary" onClick={() => void fork(c.id)}>
                  Start the fork
                </button>
              </div>
            ) : null}
          </li>
        ))}
      </ol>
    </Section>
  );
}
