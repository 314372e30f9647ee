import { useState } from 'react';
import { ConsoleResumeWorkflowDocument } from '@switchyard/client/browser';
import { useAllowed, useConsole } from '../api/hooks.ts';
import { Field, FormError } from '../components/field.tsx';
import { formErrorsOf, NO_ERRORS, type FormErrors } from '../forms/field-errors.ts';
import { pendingQuestion } from './pending-answer.ts';

/** What a waiting workflow asks, answered with Approve, Reject (with a note) or an edited answer. */
export function AnswerForm({ workflowId, pendingInput, onAnswered }: { workflowId: string; pendingInput: unknown; onAnswered?: () => void }) {
  const { session } = useConsole();
  const canAnswer = useAllowed('DEVELOPER');
  const question = pendingQuestion(pendingInput);
  const [mode, setMode] = useState<'buttons' | 'reject' | 'edit'>('buttons');
  const [note, setNote] = useState('');
  const [edited, setEdited] = useState(question.editTemplate);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);

  const send = async (response: unknown, label: string) => {
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      await session.client.request(ConsoleResumeWorkflowDocument, { id: workflowId, response });
      setSent(label);
      onAnswered?.();
    } catch (e) {
      setErrors(formErrorsOf(e, ['response']));
    } finally {
      setBusy(false);
    }
  };
  const sendEdited = () => {
    try {
      void send(JSON.parse(edited), 'Answer sent');
    } catch (e) {
      setErrors({ fields: { response: `The answer is not valid JSON: ${(e as Error).message}` }, form: null });
    }
  };

  return (
    <div className="answer" data-testid="answer-form">
      <p className="question">{question.prompt}</p>
      {question.where ? <p className="muted small">Waiting at {question.where}</p> : null}
      {question.context ? (
        <dl className="context">
          {Object.entries(question.context).map(([key, value]) => (
            <div key={key}>
              <dt>{key}</dt>
              <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {sent ? (
        <p role="status" className="sent">
          {sent}.
        </p>
      ) : !canAnswer ? (
        <p className="muted">Your role can see this question but not answer it.</p>
      ) : (
        <>
          {mode === 'buttons' ? (
            <div className="row">
              {question.approve !== null ? (
                <button type="button" className="primary" disabled={busy} onClick={() => void send(question.approve, 'Approved')}>
                  Approve
                </button>
              ) : null}
              {question.reject ? (
                <button type="button" className="danger" disabled={busy} onClick={() => setMode('reject')}>
                  Reject…
                </button>
              ) : null}
              <button type="button" disabled={busy} onClick={() => setMode('edit')}>
                Edit answer…
              </button>
            </div>
          ) : null}
          {mode === 'reject' && question.reject ? (
            <div className="stack">
              <Field label="Why (optional)" error={errors.fields['response']}>
                <input value={note} onChange={(e) => setNote(e.target.value)} />
              </Field>
              <div className="row">
                <button type="button" className="danger" disabled={busy} onClick={() => void send(question.reject!(note), 'Rejected')}>
                  Reject
                </button>
                <button type="button" onClick={() => setMode('buttons')}>
                  Back
                </button>
              </div>
            </div>
          ) : null}
          {mode === 'edit' ? (
            <div className="stack">
              <Field label="Answer (JSON)" error={errors.fields['response']}>
                <textarea rows={4} className="mono" value={edited} onChange={(e) => setEdited(e.target.value)} />
              </Field>
              <div className="row">
                <button type="button" className="primary" disabled={busy} onClick={sendEdited}>
                  Send answer
                </button>
                <button type="button" onClick={() => setMode('buttons')}>
                  Back
                </button>
              </div>
            </div>
          ) : null}
          <FormError message={errors.form} />
        </>
      )}
    </div>
  );
}
