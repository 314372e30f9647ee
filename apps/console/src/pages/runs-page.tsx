import { useState, type FormEvent } from 'react';
import {
  ConsoleStartWorkflowDocument,
  ConsoleWorkflowsDocument,
  RecommendFrameworkDocument,
  type Framework,
  type RecommendFrameworkQuery,
  type WorkflowStatus,
} from '@switchyard/client/browser';
import { useAllowed, useConsole } from '../api/hooks.ts';
import { useLiveWorkflows } from '../api/live-workflows.ts';
import { Field, FormError, Section } from '../components/field.tsx';
import { StatusBadge, formatTime } from '../components/status-badge.tsx';
import { formErrorsOf, NO_ERRORS, type FormErrors } from '../forms/field-errors.ts';
import { Link, navigate } from '../router.tsx';

export const FRAMEWORKS: Framework[] = ['LANGGRAPH', 'CREWAI', 'AUTOGEN', 'HYBRID'];
export const STATUSES: WorkflowStatus[] = ['QUEUED', 'RUNNING', 'WAITING_FOR_INPUT', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

export function RunsPage() {
  const { session } = useConsole();
  const canStart = useAllowed('DEVELOPER');
  const [status, setStatus] = useState<WorkflowStatus | ''>('');
  const [framework, setFramework] = useState<Framework | ''>('');
  const [pages, setPages] = useState(1);
  const [hasMore, setHasMore] = useState(false);
  const { rows, error } = useLiveWorkflows(
    async () => {
      const all = [];
      let after: string | null | undefined;
      for (let page = 0; page < pages; page += 1) {
        const { workflows } = await session.client.request(ConsoleWorkflowsDocument, { first: 25, after, status: status || null, framework: framework || null });
        all.push(...workflows.edges.map((e) => e.node));
        after = workflows.pageInfo.endCursor;
        setHasMore(workflows.pageInfo.hasNextPage);
        if (!workflows.pageInfo.hasNextPage) break;
      }
      return all;
    },
    (w) => (!status || w.status === status) && (!framework || w.framework === framework),
    [status, framework, pages],
  );
  return (
    <>
      <h1>Runs</h1>
      {canStart ? <StartWorkflowForm /> : <p className="muted">Your role can follow runs but not start them.</p>}
      <Section title="Workflows">
        <div className="filters">
          <Field label="Status">
            <select value={status} onChange={(e) => setStatus(e.target.value as WorkflowStatus | '')}>
              <option value="">Any status</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Framework">
            <select value={framework} onChange={(e) => setFramework(e.target.value as Framework | '')}>
              <option value="">Any framework</option>
              {FRAMEWORKS.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <FormError message={error?.message} />
        {rows && rows.length === 0 ? <p className="muted" data-testid="no-runs">No workflows match.</p> : null}
        {rows && rows.length > 0 ? (
          <table className="table" data-testid="runs-table">
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Framework</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((w) => (
                <tr key={w.id} data-workflow={w.id}>
                  <td>
                    <Link to={`/runs/${encodeURIComponent(w.id)}`}>{w.input.length > 90 ? `${w.input.slice(0, 89)}…` : w.input}</Link>
                  </td>
                  <td>{w.framework}</td>
                  <td>
                    <StatusBadge status={w.status} />
                  </td>
                  <td>{formatTime(w.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {hasMore ? (
          <button type="button" onClick={() => setPages((p) => p + 1)}>
            Load more
          </button>
        ) : null}
      </Section>
    </>
  );
}

type Recommendation = RecommendFrameworkQuery['recommendFramework'];

function StartWorkflowForm() {
  const { session } = useConsole();
  const [input, setInput] = useState('');
  const [choice, setChoice] = useState<Framework | 'RECOMMEND'>('RECOMMEND');
  const [definition, setDefinition] = useState('');
  const [recommendation, setRecommendation] = useState<Recommendation | null>(null);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const fields = ['input', 'framework', 'definition'];

  const parsedDefinition = (): { ok: true; value: unknown } | { ok: false } => {
    if (!definition.trim()) return { ok: true, value: null };
    try {
      return { ok: true, value: JSON.parse(definition) };
    } catch (e) {
      setErrors({ fields: { definition: `The definition is not valid JSON: ${(e as Error).message}` }, form: null });
      return { ok: false };
    }
  };

  const start = async (framework: Framework) => {
    const parsed = parsedDefinition();
    if (!parsed.ok) return;
    setBusy(true);
    try {
      const { startWorkflow } = await session.client.request(ConsoleStartWorkflowDocument, { input: { input, framework, definition: parsed.value } });
      navigate(`/runs/${encodeURIComponent(startWorkflow.id)}`);
    } catch (e) {
      setErrors(formErrorsOf(e, fields));
    } finally {
      setBusy(false);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors(NO_ERRORS);
    if (choice !== 'RECOMMEND') return start(choice);
    setBusy(true);
    try {
      const { recommendFramework } = await session.client.request(RecommendFrameworkDocument, { input: { description: input } });
      setRecommendation(recommendFramework);
    } catch (e) {
      const mapped = formErrorsOf(e, ['description']);
      setErrors({ fields: mapped.fields['description'] ? { input: mapped.fields['description'] } : {}, form: mapped.form });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Start a workflow">
      <form onSubmit={submit} noValidate className="stack">
        <Field label="Request" error={errors.fields['input']} hint='What the workflow should do, e.g. "Process insurance claim #12345 for $40,000".'>
          <textarea rows={3} value={input} onChange={(e) => (setInput(e.target.value), setRecommendation(null))} name="input" />
        </Field>
        <div className="row">
          <Field label="Framework" error={errors.fields['framework']}>
            <select value={choice} onChange={(e) => (setChoice(e.target.value as Framework | 'RECOMMEND'), setRecommendation(null))} name="framework">
              <option value="RECOMMEND">Recommend one for me</option>
              {FRAMEWORKS.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Definition (JSON, optional)" error={errors.fields['definition']} hint='e.g. {"template": "insurance-claim"}; empty: the engine picks one for the request.'>
            <textarea rows={2} value={definition} onChange={(e) => setDefinition(e.target.value)} name="definition" className="mono" />
          </Field>
        </div>
        <FormError message={errors.form} />
        {recommendation ? (
          <div className="recommendation" data-testid="recommendation" role="region" aria-label="Recommendation">
            <p>
              The recommender suggests <strong>{recommendation.framework}</strong> with {Math.round(recommendation.confidence * 100)}% confidence.
            </p>
            <p className="muted">{recommendation.rationale}</p>
            <ul className="inline-list">
              {recommendation.alternatives.map((a) => (
                <li key={a.framework}>
                  {a.framework}: {Math.round(a.probability * 100)}%
                </li>
              ))}
            </ul>
            <p className="muted small">Model {recommendation.modelVersion}</p>
            <div className="row">
              <button type="button" className="primary" disabled={busy} onClick={() => void start(recommendation.framework)}>
                Start on {recommendation.framework}
              </button>
              <button type="button" onClick={() => setRecommendation(null)}>
                Choose another
              </button>
            </div>
          </div>
        ) : (
          <div>
            <button type="submit" className="primary" disabled={busy}>
              {choice === 'RECOMMEND' ? 'Recommend a framework' : `Start on ${choice}`}
            </button>
          </div>
        )}
      </form>
    </Section>
  );
}
