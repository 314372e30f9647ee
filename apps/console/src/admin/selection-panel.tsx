import { useState, type FormEvent } from 'react';
import { ConsoleFrameworkPreferencesDocument, ConsoleSetFrameworkPreferenceDocument, type Framework } from '@switchyard/client/browser';
import { useConsole, useLoad } from '../api/hooks.ts';
import { ErrorNote, Field, FormError, Section } from '../components/field.tsx';
import { formatTime } from '../components/status-badge.tsx';
import { formErrorsOf, NO_ERRORS, type FormErrors } from '../forms/field-errors.ts';
import { FRAMEWORKS } from '../pages/runs-page.tsx';

export function SelectionPanel() {
  const { session } = useConsole();
  const pins = useLoad(async () => (await session.client.request(ConsoleFrameworkPreferencesDocument)).frameworkPreferences, []);
  const [workflowType, setWorkflowType] = useState('');
  const [framework, setFramework] = useState<Framework>('LANGGRAPH');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setErrors(NO_ERRORS);
    try {
      await session.client.request(ConsoleSetFrameworkPreferenceDocument, { input: { workflowType, framework } });
      setWorkflowType('');
      await pins.reload();
    } catch (e) {
      setErrors(formErrorsOf(e, ['workflowType', 'framework']));
    }
  };
  return (
    <Section title="Selection pins">
      <p className="muted">Work of a type (state_machine, multi_agent_team, conversational, hybrid) or mentioning a keyword always runs on the pinned framework.</p>
      <ErrorNote error={pins.error} />
      <table className="table" data-testid="pins">
        <thead>
          <tr>
            <th scope="col">Type or keyword</th>
            <th scope="col">Framework</th>
            <th scope="col">Since</th>
          </tr>
        </thead>
        <tbody>
          {(pins.data ?? []).map((p) => (
            <tr key={p.workflowType}>
              <td>{p.workflowType}</td>
              <td>{p.framework}</td>
              <td>{formatTime(p.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={save} noValidate className="row wrap">
        <Field label="Type or keyword" error={errors.fields['workflowType']}>
          <input value={workflowType} onChange={(e) => setWorkflowType(e.target.value)} />
        </Field>
        <Field label="Framework" error={errors.fields['framework']}>
          <select value={framework} onChange={(e) => setFramework(e.target.value as Framework)}>
            {FRAMEWORKS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </Field>
        <div className="align-end">
          <button type="submit" className="primary">
            Pin
          </button>
        </div>
      </form>
      <FormError message={errors.form} />
    </Section>
  );
}
