import { useEffect, useState, type FormEvent } from 'react';
import { ConsoleAlertsDocument, ConsoleDeleteAlertRuleDocument, ConsoleSetAlertRuleDocument } from '@switchyard/client/browser';
import type { AlertCondition, AlertMetric } from '@switchyard/client/browser';
import { useAllowed, useConsole, useLoad } from '../api/hooks.ts';
import { ErrorNote, Field, FormError, Section } from '../components/field.tsx';
import { formatTime, formatUsd } from '../components/status-badge.tsx';
import { formErrorsOf, NO_ERRORS, type FormErrors } from '../forms/field-errors.ts';

const METRICS: Record<AlertMetric, { label: string; unit: string; format: (v: number) => string }> = {
  COST_USD: { label: 'Cost (USD in the window)', unit: 'USD', format: formatUsd },
  ERROR_RATE: { label: 'Error rate (failed / ended runs)', unit: 'share, 0 to 1', format: (v) => `${(v * 100).toFixed(1)} %` },
  MODEL_LATENCY_P95_MS: { label: 'Model latency p95 (ms)', unit: 'ms', format: (v) => `${Math.round(v)} ms` },
};

const DELIVERY: Record<string, string> = { NO_WEBHOOK: 'not posted (no webhook set)', PENDING: 'webhook pending', DELIVERED: 'posted to the webhook', FAILED: 'webhook failed' };

/** How often the page asks for the rules' state again (rules are evaluated every minute by default). */
const REFRESH_MS = 5_000;

export function AlertsPanel() {
  const { session, viewer } = useConsole();
  const tenantId = viewer.tenant!.id;
  const canEdit = useAllowed('TENANT_ADMIN');
  const alerts = useLoad(async () => (await session.client.request(ConsoleAlertsDocument, { tenantId })).tenant, [tenantId]);
  useEffect(() => {
    const timer = setInterval(() => void alerts.reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [alerts.reload]);
  const rules = alerts.data?.alertRules ?? [];
  const events = alerts.data?.alertEvents ?? [];
  const formatOf = (metric: AlertMetric) => METRICS[metric].format;

  const remove = async (id: string) => {
    await session.client.request(ConsoleDeleteAlertRuleDocument, { id });
    await alerts.reload();
  };

  return (
    <>
      <Section title="Alert rules">
        <ErrorNote error={alerts.error} />
        <p className="muted">
          Rules watch this tenant’s cost, run error rate and model latency. A threshold rule fires above its value; an anomaly rule fires when the value is
          far above its own moving baseline. Firing and resolved alerts are posted to the webhook set on the Budgets page
          {alerts.data?.budget?.webhookUrl ? ` (${alerts.data.budget.webhookUrl})` : ' (none set: alerts are only listed here)'}.
        </p>
        {rules.length === 0 ? <p className="muted">No alert rules yet.</p> : null}
        {rules.length > 0 ? (
          <table className="table" data-testid="alert-rules">
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Watches</th>
                <th scope="col">Fires when</th>
                <th scope="col">State</th>
                <th scope="col">Last value</th>
                {canEdit ? <th scope="col"><span className="sr-only">Actions</span></th> : null}
              </tr>
            </thead>
            <tbody>
              {rules.map((rule) => (
                <tr key={rule.id}>
                  <td>{rule.name}</td>
                  <td>
                    {METRICS[rule.metric].label}, last {rule.windowSeconds} s
                  </td>
                  <td>
                    {rule.condition === 'THRESHOLD'
                      ? `above ${formatOf(rule.metric)(rule.threshold ?? 0)}`
                      : `${rule.zScore} deviations above the baseline${rule.baseline !== null && rule.baseline !== undefined ? ` (${formatOf(rule.metric)(rule.baseline)})` : ' (learning)'}`}
                  </td>
                  <td>
                    <span className={`badge ${rule.state === 'FIRING' ? 'badge-failed' : 'badge-succeeded'}`} data-alert-state={rule.state}>
                      {rule.state === 'FIRING' ? `Firing since ${formatTime(rule.firingSince)}` : rule.enabled ? 'OK' : 'Disabled'}
                    </span>
                  </td>
                  <td>{rule.lastValue === null || rule.lastValue === undefined ? '—' : formatOf(rule.metric)(rule.lastValue)}</td>
                  {canEdit ? (
                    <td>
                      <button type="button" onClick={() => void remove(rule.id)} aria-label={`Delete ${rule.name}`}>
                        Delete
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {canEdit ? <NewRuleForm onSaved={() => void alerts.reload()} /> : null}
      </Section>
      <Section title="Alert history">
        {events.length === 0 ? <p className="muted">No alert has fired yet.</p> : null}
        <ul data-testid="alert-events">
          {events.map((event) => (
            <li key={event.id}>
              <strong>{event.kind === 'FIRING' ? 'Firing' : 'Resolved'}</strong>: {event.ruleName} at{' '}
              {event.value === null || event.value === undefined ? 'no data' : formatOf(event.metric)(event.value)} ({formatTime(event.at)}); {DELIVERY[event.delivery.state] ?? event.delivery.state}
              {event.delivery.lastError ? ` (${event.delivery.lastError})` : ''}
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}

function NewRuleForm({ onSaved }: { onSaved: () => void }) {
  const { session } = useConsole();
  const [name, setName] = useState('');
  const [metric, setMetric] = useState<AlertMetric>('ERROR_RATE');
  const [condition, setCondition] = useState<AlertCondition>('THRESHOLD');
  const [threshold, setThreshold] = useState('');
  const [zScore, setZScore] = useState('3');
  const [windowSeconds, setWindowSeconds] = useState('300');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setErrors(NO_ERRORS);
    const number = (text: string) => (text.trim() === '' ? null : Number(text));
    try {
      await session.client.request(ConsoleSetAlertRuleDocument, {
        input: {
          name,
          metric,
          condition,
          threshold: condition === 'THRESHOLD' ? number(threshold) : null,
          zScore: condition === 'ANOMALY' ? number(zScore) : null,
          windowSeconds: number(windowSeconds),
        },
      });
      setName('');
      setThreshold('');
      onSaved();
    } catch (e) {
      setErrors(formErrorsOf(e, ['name', 'threshold', 'zScore', 'windowSeconds']));
    }
  };

  return (
    <form onSubmit={save} noValidate className="stack" aria-label="New alert rule">
      <div className="row wrap">
        <Field label="Rule name" error={errors.fields['name']}>
          <input value={name} onChange={(e) => setName(e.target.value)} name="name" />
        </Field>
        <Field label="Metric">
          <select value={metric} onChange={(e) => setMetric(e.target.value as AlertMetric)}>
            {Object.entries(METRICS).map(([value, { label }]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Condition">
          <select value={condition} onChange={(e) => setCondition(e.target.value as AlertCondition)}>
            <option value={'THRESHOLD'}>Above a threshold</option>
            <option value={'ANOMALY'}>Anomaly (far above its baseline)</option>
          </select>
        </Field>
        {condition === 'THRESHOLD' ? (
          <Field label={`Threshold (${METRICS[metric].unit})`} error={errors.fields['threshold']}>
            <input inputMode="decimal" value={threshold} onChange={(e) => setThreshold(e.target.value)} name="threshold" />
          </Field>
        ) : (
          <Field label="Deviations above the baseline" error={errors.fields['zScore']}>
            <input inputMode="decimal" value={zScore} onChange={(e) => setZScore(e.target.value)} name="zScore" />
          </Field>
        )}
        <Field label="Window (seconds)" error={errors.fields['windowSeconds']}>
          <input inputMode="numeric" value={windowSeconds} onChange={(e) => setWindowSeconds(e.target.value)} name="windowSeconds" />
        </Field>
      </div>
      <FormError message={errors.form} />
      <div className="row">
        <button type="submit" className="primary">
          Add rule
        </button>
      </div>
    </form>
  );
}
