import { useMemo, useState } from 'react';
import { ConsoleStatementsDocument } from '@switchyard/client/browser';
import { useConsole, useLoad } from '../api/hooks.ts';
import { ErrorNote, Field, Section } from '../components/field.tsx';
import { formatTime, formatUsd } from '../components/status-badge.tsx';
import { formErrorsOf } from '../forms/field-errors.ts';

export function StatementsPanel() {
  const { session, viewer } = useConsole();
  const tenantId = viewer.tenant!.id;
  const [month, setMonth] = useState(new Date().toISOString().slice(0, 7));
  const loaded = useLoad(async () => (await session.client.request(ConsoleStatementsDocument, { tenantId, month: month || null })).tenant, [tenantId, month]);
  const statement = loaded.data?.statement;
  const csvHref = useMemo(() => (statement ? URL.createObjectURL(new Blob([statement.csv], { type: 'text/csv' })) : null), [statement]);
  const monthError = loaded.error ? formErrorsOf(loaded.error, ['month']).fields['month'] : undefined;
  return (
    <>
      <Section title="Statement">
        <Field label="Month" error={monthError}>
          <input type="month" value={month} onChange={(e) => setMonth(e.target.value)} />
        </Field>
        {!monthError ? <ErrorNote error={loaded.error} /> : null}
        {statement ? (
          <>
            <p data-testid="statement-total">
              {statement.month} ({statement.status === 'OPEN' ? 'open: a live preview' : `closed ${formatTime(statement.closedAt)}`}), plan {statement.plan}: cost {formatUsd(statement.costUsd)}, price{' '}
              <strong>{formatUsd(statement.amountUsd)}</strong> (markup ×{statement.markup}) for {statement.modelCalls} model calls.
            </p>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Engine</th>
                  <th scope="col">Calls</th>
                  <th scope="col">Tokens in / out</th>
                  <th scope="col">Cost</th>
                  <th scope="col">Price</th>
                </tr>
              </thead>
              <tbody>
                {statement.lines.map((l) => (
                  <tr key={`${l.model}-${l.engine}`}>
                    <td>{l.model}</td>
                    <td>{l.engine}</td>
                    <td>{l.modelCalls}</td>
                    <td>
                      {l.inputTokens} / {l.outputTokens}
                    </td>
                    <td>{formatUsd(l.costUsd)}</td>
                    <td>{formatUsd(l.amountUsd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {csvHref ? (
              <a href={csvHref} download={`statement-${statement.month}.csv`}>
                Download the statement as CSV
              </a>
            ) : null}
          </>
        ) : loaded.data ? (
          <p className="muted">No statement for this month.</p>
        ) : null}
      </Section>
      <Section title="Closed statements">
        {(loaded.data?.invoices ?? []).length === 0 ? <p className="muted">No month has been closed yet.</p> : null}
        <ul>
          {(loaded.data?.invoices ?? []).map((i) => (
            <li key={i.month}>
              {i.month}: {formatUsd(i.amountUsd)} (closed {formatTime(i.closedAt)})
            </li>
          ))}
        </ul>
      </Section>
    </>
  );
}
