import { useState } from 'react';
import { ConsoleUsageDocument } from '@switchyard/client/browser';
import { useConsole, useLoad } from '../api/hooks.ts';
import { BarChart } from '../components/bar-chart.tsx';
import { ErrorNote, Field, Section } from '../components/field.tsx';
import { formatUsd } from '../components/status-badge.tsx';

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

export function UsagePanel() {
  const { session, viewer } = useConsole();
  const tenantId = viewer.tenant!.id;
  const now = new Date();
  const [from, setFrom] = useState(isoDay(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))));
  const [to, setTo] = useState(isoDay(now));
  const usage = useLoad(
    async () =>
      (await session.client.request(ConsoleUsageDocument, { tenantId, from: from ? `${from}T00:00:00.000Z` : null, to: to ? `${to}T23:59:59.999Z` : null })).tenant?.usage,
    [tenantId, from, to],
  );
  const u = usage.data;
  return (
    <>
      <Section title="Usage and cost">
        <div className="row wrap">
          <Field label="From (UTC)">
            <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          </Field>
          <Field label="To (UTC)">
            <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </Field>
        </div>
        <ErrorNote error={usage.error} />
        {u ? (
          <p data-testid="usage-total">
            <strong>{formatUsd(u.totalUsd)}</strong> for {u.modelCalls} model calls in {u.workflows} workflows ({u.inputTokens} input, {u.outputTokens} output tokens
            {u.estimatedModelCalls > 0 ? `; ${u.estimatedModelCalls} calls estimated` : ''}).
          </p>
        ) : null}
      </Section>
      {u ? (
        <div className="grid-3">
          <Section title="By day">
            <BarChart title="Cost by day" format={formatUsd} rows={u.byDay.map((d) => ({ label: d.day, value: d.totalUsd, detail: `${d.modelCalls} calls` }))} />
          </Section>
          <Section title="By engine">
            <BarChart title="Cost by engine" format={formatUsd} rows={u.byEngine.map((e) => ({ label: e.engine, value: e.totalUsd, detail: `${e.modelCalls} calls` }))} />
          </Section>
          <Section title="By model">
            <BarChart title="Cost by model" format={formatUsd} rows={u.byModel.map((m) => ({ label: m.model, value: m.totalUsd, detail: `${m.modelCalls} calls` }))} />
          </Section>
        </div>
      ) : null}
    </>
  );
}
