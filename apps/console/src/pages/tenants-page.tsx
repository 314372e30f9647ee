import { useState, type FormEvent } from 'react';
import { CreateTenantDocument, type CreateTenantMutation } from '@switchyard/client/browser';
import { useConsole } from '../api/hooks.ts';
import { Field, FormError, Section } from '../components/field.tsx';
import { formErrorsOf, NO_ERRORS, type FormErrors } from '../forms/field-errors.ts';

/** What a platform admin key (no tenant of its own) can do here: create tenants. */
export function TenantsPage() {
  const { session } = useConsole();
  const [name, setName] = useState('');
  const [plan, setPlan] = useState('team');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [created, setCreated] = useState<CreateTenantMutation['createTenant'] | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors(NO_ERRORS);
    try {
      const { createTenant } = await session.client.request(CreateTenantDocument, { input: { name, plan } });
      setCreated(createTenant);
      setName('');
    } catch (e) {
      setErrors(formErrorsOf(e, ['name', 'plan']));
    }
  };
  return (
    <>
      <h1>Tenants</h1>
      <p className="muted">You signed in with a platform admin key. Runs, the inbox and tenant admin belong to a tenant: sign in with one of its keys.</p>
      <Section title="Create a tenant">
        <form onSubmit={submit} noValidate className="stack">
          <Field label="Name" error={errors.fields['name']}>
            <input value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <Field label="Plan" error={errors.fields['plan']}>
            <select value={plan} onChange={(e) => setPlan(e.target.value)}>
              <option value="free">free</option>
              <option value="team">team</option>
              <option value="enterprise">enterprise</option>
            </select>
          </Field>
          <FormError message={errors.form} />
          <div>
            <button type="submit" className="primary">
              Create tenant
            </button>
          </div>
        </form>
        {created ? (
          <div className="secret" role="status">
            <p>
              Tenant <strong>{created.tenant.name}</strong> ({created.tenant.id}) created. Its first TENANT_ADMIN key, shown once:
            </p>
            <code data-testid="new-secret">{created.secret}</code>
          </div>
        ) : null}
      </Section>
    </>
  );
}
