import { useState, type FormEvent } from 'react';
import { ConsoleApiKeysDocument, ConsoleCreateApiKeyDocument, ConsoleRotateApiKeyDocument, RevokeApiKeyDocument, type Role } from '@switchyard/client/browser';
import { useConsole, useLoad } from '../api/hooks.ts';
import { ErrorNote, Field, FormError, Section } from '../components/field.tsx';
import { formatTime } from '../components/status-badge.tsx';
import { formErrorsOf, NO_ERRORS, type FormErrors } from '../forms/field-errors.ts';

const ROLES: Role[] = ['TENANT_ADMIN', 'DEVELOPER', 'VIEWER'];

export function ApiKeysPanel() {
  const { session, viewer } = useConsole();
  const keys = useLoad(async () => (await session.client.request(ConsoleApiKeysDocument)).apiKeys, []);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('DEVELOPER');
  const [expiresAt, setExpiresAt] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [secret, setSecret] = useState<{ label: string; value: string } | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setErrors(NO_ERRORS);
    try {
      const { createApiKey } = await session.client.request(ConsoleCreateApiKeyDocument, {
        input: { name, role, expiresAt: expiresAt ? new Date(expiresAt).toISOString() : null },
      });
      setSecret({ label: `New key "${createApiKey.apiKey.name}" (${createApiKey.apiKey.role})`, value: createApiKey.secret });
      setName('');
      await keys.reload();
    } catch (e) {
      setErrors(formErrorsOf(e, ['name', 'role', 'expiresAt']));
    }
  };
  const rotate = async (id: string, keyName: string) => {
    if (!window.confirm(`Rotate "${keyName}"? Its current secret stops working at once.`)) return;
    setActionError(null);
    try {
      const { rotateApiKey } = await session.client.request(ConsoleRotateApiKeyDocument, { id });
      setSecret({ label: `New secret of "${rotateApiKey.apiKey.name}"`, value: rotateApiKey.secret });
      await keys.reload();
    } catch (e) {
      setActionError((e as Error).message);
    }
  };
  const revoke = async (id: string, keyName: string) => {
    if (!window.confirm(`Revoke "${keyName}"? It stops working at once.`)) return;
    setActionError(null);
    try {
      await session.client.request(RevokeApiKeyDocument, { id });
      await keys.reload();
    } catch (e) {
      setActionError((e as Error).message);
    }
  };

  return (
    <>
      <Section title="Create an API key">
        <form onSubmit={create} noValidate className="row wrap">
          <Field label="Name" error={errors.fields['name']}>
            <input value={name} onChange={(e) => setName(e.target.value)} name="key-name" />
          </Field>
          <Field label="Role" error={errors.fields['role']}>
            <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Expires (optional)" error={errors.fields['expiresAt']}>
            <input type="datetime-local" value={expiresAt} onChange={(e) => setExpiresAt(e.target.value)} />
          </Field>
          <div className="align-end">
            <button type="submit" className="primary">
              Create key
            </button>
          </div>
        </form>
        <FormError message={errors.form} />
        {secret ? (
          <div className="secret" role="status">
            <p>{secret.label}. Copy the secret now: it is shown only once.</p>
            <code data-testid="new-secret">{secret.value}</code>
          </div>
        ) : null}
      </Section>
      <Section title="Keys">
        <ErrorNote error={keys.error} />
        <FormError message={actionError} />
        <table className="table" data-testid="api-keys">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Prefix</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(keys.data ?? []).map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>{k.role}</td>
                <td>
                  <code>{k.prefix}</code>
                </td>
                <td>{formatTime(k.createdAt)}</td>
                <td>{formatTime(k.lastUsedAt)}</td>
                <td>{k.revokedAt ? `revoked ${formatTime(k.revokedAt)}` : k.expiresAt ? `expires ${formatTime(k.expiresAt)}` : 'active'}</td>
                <td>
                  {!k.revokedAt ? (
                    <div className="row">
                      <button type="button" onClick={() => void rotate(k.id, k.name)} aria-label={`Rotate ${k.name}`}>
                        Rotate
                      </button>
                      {k.id !== viewer.keyId ? (
                        <button type="button" className="danger" onClick={() => void revoke(k.id, k.name)} aria-label={`Revoke ${k.name}`}>
                          Revoke
                        </button>
                      ) : (
                        <span className="muted small">this key</span>
                      )}
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}
