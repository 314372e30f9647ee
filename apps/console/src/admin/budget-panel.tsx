import { useEffect, useState, type FormEvent } from 'react';
import { ConsoleApiKeysDocument, ConsoleBudgetsDocument, ConsoleSetBudgetDocument, SetApiKeyBudgetDocument } from '@switchyard/client/browser';
import { useConsole, useLoad } from '../api/hooks.ts';
import { ErrorNote, Field, FormError, Section } from '../components/field.tsx';
import { formatTime, formatUsd } from '../components/status-badge.tsx';
import { formErrorsOf, NO_ERRORS, type FormErrors } from '../forms/field-errors.ts';

export function BudgetPanel() {
  const { session, viewer } = useConsole();
  const tenantId = viewer.tenant!.id;
  const budgets = useLoad(async () => (await session.client.request(ConsoleBudgetsDocument, { tenantId })).tenant, [tenantId]);
  const keys = useLoad(async () => (await session.client.request(ConsoleApiKeysDocument)).apiKeys.filter((k) => !k.revokedAt), []);
  const budget = budgets.data?.budget;
  const [limit, setLimit] = useState('');
  const [hard, setHard] = useState(true);
  const [thresholds, setThresholds] = useState('50, 80, 100');
  const [webhookUrl, setWebhookUrl] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!budget) return;
    setLimit(String(budget.monthlyLimitUsd));
    setHard(budget.hardLimit);
    setThresholds(budget.thresholds.join(', '));
    setWebhookUrl(budget.webhookUrl ?? '');
  }, [budget]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setErrors(NO_ERRORS);
    setSaved(false);
    const parsedThresholds = thresholds.split(',').map((t) => t.trim()).filter(Boolean).map(Number);
    if (limit.trim() === '' || Number.isNaN(Number(limit))) {
      setErrors({ fields: { monthlyLimitUsd: 'Enter the monthly limit in US dollars, e.g. 100.' }, form: null });
      return;
    }
    if (parsedThresholds.some(Number.isNaN)) {
      setErrors({ fields: { thresholds: 'Thresholds are percentages separated by commas, e.g. 50, 80, 100.' }, form: null });
      return;
    }
    try {
      await session.client.request(ConsoleSetBudgetDocument, {
        input: { monthlyLimitUsd: Number(limit), hardLimit: hard, thresholds: parsedThresholds, webhookUrl: webhookUrl.trim() || null },
      });
      setSaved(true);
      await budgets.reload();
    } catch (e) {
      setErrors(formErrorsOf(e, ['monthlyLimitUsd', 'hardLimit', 'thresholds', 'webhookUrl']));
    }
  };

  return (
    <>
      <Section title="Monthly budget">
        <ErrorNote error={budgets.error} />
        {budget ? (
          <p data-testid="budget-spent">
            Spent {formatUsd(budget.spentUsd)} of {formatUsd(budget.monthlyLimitUsd)} this month ({budget.hardLimit ? 'hard limit: calls are refused beyond it' : 'soft: alerts only'}).
          </p>
        ) : (
          <p className="muted">No budget set: spending is not limited.</p>
        )}
        <form onSubmit={save} noValidate className="stack">
          <div className="row wrap">
            <Field label="Monthly limit (USD)" error={errors.fields['monthlyLimitUsd']}>
              <input inputMode="decimal" value={limit} onChange={(e) => setLimit(e.target.value)} name="monthlyLimitUsd" />
            </Field>
            <Field label="Alert thresholds (% of the limit)" error={errors.fields['thresholds']}>
              <input value={thresholds} onChange={(e) => setThresholds(e.target.value)} name="thresholds" />
            </Field>
            <Field label="Alert webhook URL (optional)" error={errors.fields['webhookUrl']}>
              <input value={webhookUrl} onChange={(e) => setWebhookUrl(e.target.value)} name="webhookUrl" />
            </Field>
          </div>
          <label className="check">
            <input type="checkbox" checked={hard} onChange={(e) => setHard(e.target.checked)} /> Hard limit: refuse model calls once it is reached
          </label>
          <FormError message={errors.form} />
          <div className="row">
            <button type="submit" className="primary">
              Save budget
            </button>
            {saved ? <span role="status">Saved.</span> : null}
          </div>
        </form>
      </Section>
      <Section title="Alerts">
        {(budgets.data?.budgetAlerts ?? []).length === 0 ? <p className="muted">No threshold crossed yet.</p> : null}
        <ul>
          {(budgets.data?.budgetAlerts ?? []).map((a) => (
            <li key={a.id}>
              {a.month}: {a.thresholdPercent}% reached at {formatUsd(a.spentUsd)} of {formatUsd(a.limitUsd)} ({formatTime(a.at)}); webhook {a.delivery.state.toLowerCase()}
              {a.delivery.lastError ? ` (${a.delivery.lastError})` : ''}
            </li>
          ))}
        </ul>
      </Section>
      <KeyBudgets keys={keys.data ?? []} budgets={budgets.data?.apiKeyBudgets ?? []} onSaved={() => void budgets.reload()} />
    </>
  );
}

function KeyBudgets({ keys, budgets, onSaved }: { keys: Array<{ id: string; name: string }>; budgets: Array<{ apiKeyId: string; monthlyLimitUsd: number; spentUsd: number; reservedUsd: number }>; onSaved: () => void }) {
  const { session } = useConsole();
  const [keyId, setKeyId] = useState('');
  const [limit, setLimit] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setErrors(NO_ERRORS);
    if (!keyId) {
      setErrors({ fields: { apiKeyId: 'Pick a key.' }, form: null });
      return;
    }
    try {
      await session.client.request(SetApiKeyBudgetDocument, { apiKeyId: keyId, monthlyLimitUsd: limit.trim() === '' ? null : Number(limit) });
      setLimit('');
      onSaved();
    } catch (e) {
      setErrors(formErrorsOf(e, ['apiKeyId', 'monthlyLimitUsd']));
    }
  };
  const nameOf = (id: string) => keys.find((k) => k.id === id)?.name ?? id;
  return (
    <Section title="Budgets per API key">
      {budgets.length === 0 ? <p className="muted">No key has its own budget.</p> : null}
      <ul>
        {budgets.map((b) => (
          <li key={b.apiKeyId}>
            {nameOf(b.apiKeyId)}: {formatUsd(b.spentUsd)} spent ({formatUsd(b.reservedUsd)} reserved) of {formatUsd(b.monthlyLimitUsd)}
          </li>
        ))}
      </ul>
      <form onSubmit={save} noValidate className="row wrap">
        <Field label="Key" error={errors.fields['apiKeyId']}>
          <select value={keyId} onChange={(e) => setKeyId(e.target.value)}>
            <option value="">Choose a key</option>
            {keys.map((k) => (
              <option key={k.id} value={k.id}>
                {k.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Monthly limit (USD; empty removes it)" error={errors.fields['monthlyLimitUsd']}>
          <input inputMode="decimal" value={limit} onChange={(e) => setLimit(e.target.value)} />
        </Field>
        <div className="align-end">
          <button type="submit">Set key budget</button>
        </div>
      </form>
      <FormError message={errors.form} />
    </Section>
  );
}
