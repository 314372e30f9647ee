import { useState, type FormEvent } from 'react';
import { ConsoleSetBrandingDocument } from '@switchyard/client/browser';
import { useConsole } from '../api/hooks.ts';
import { Field, FormError, Section } from '../components/field.tsx';
import { formErrorsOf, NO_ERRORS, type FormErrors } from '../forms/field-errors.ts';

/** The tenant's white-label branding; saving it re-themes the console at once. */
export function BrandingPanel() {
  const { session, viewer, reloadViewer } = useConsole();
  const current = viewer.tenant?.branding;
  const [displayName, setDisplayName] = useState(current?.displayName ?? '');
  const [logoUrl, setLogoUrl] = useState(current?.logoUrl ?? '');
  const [primaryColor, setPrimaryColor] = useState(current?.primaryColor ?? '');
  const [accentColor, setAccentColor] = useState(current?.accentColor ?? '');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [saved, setSaved] = useState(false);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setErrors(NO_ERRORS);
    setSaved(false);
    try {
      await session.client.request(ConsoleSetBrandingDocument, {
        input: { displayName: displayName || null, logoUrl: logoUrl || null, primaryColor: primaryColor || null, accentColor: accentColor || null },
      });
      await reloadViewer();
      setSaved(true);
    } catch (e) {
      setErrors(formErrorsOf(e, ['displayName', 'logoUrl', 'primaryColor', 'accentColor']));
    }
  };
  return (
    <Section title="Branding">
      <p className="muted">Your name, logo and colours on every page of the console, for everyone of your tenant.</p>
      <form onSubmit={save} noValidate className="stack" data-testid="branding-form">
        <Field label="Display name" error={errors.fields['displayName']}>
          <input value={displayName} onChange={(e) => setDisplayName(e.target.value)} name="displayName" />
        </Field>
        <Field label="Logo URL (https)" error={errors.fields['logoUrl']}>
          <input value={logoUrl} onChange={(e) => setLogoUrl(e.target.value)} name="logoUrl" />
        </Field>
        <div className="row wrap">
          <Field label="Primary colour" error={errors.fields['primaryColor']} hint="e.g. #1a2b3c">
            <input value={primaryColor} onChange={(e) => setPrimaryColor(e.target.value)} name="primaryColor" />
          </Field>
          <Field label="Accent colour" error={errors.fields['accentColor']} hint="e.g. #0f7b6c">
            <input value={accentColor} onChange={(e) => setAccentColor(e.target.value)} name="accentColor" />
          </Field>
        </div>
        <FormError message={errors.form} />
        <div className="row">
          <button type="submit" className="primary">
            Save branding
          </button>
          {saved ? <span role="status">Saved: every page now uses it.</span> : null}
        </div>
      </form>
    </Section>
  );
}
