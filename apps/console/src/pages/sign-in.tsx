import { useEffect, useState, type FormEvent } from 'react';
import { ConsoleViewerDocument } from '@switchyard/client/browser';
import { Field } from '../components/field.tsx';
import { Session } from '../api/session.ts';
import { CALLBACK_PATH, finishEntraSignIn, loadEntraConfig, startEntraSignIn, type EntraConfig } from '../api/entra-sign-in.ts';

/** Sign in with an API key (or an Entra ID access token: the gateway accepts both as a bearer credential). */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session, returnTo?: string) => void }) {
  const [credential, setCredential] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [entra, setEntra] = useState<EntraConfig | null>(null);
  const [entraError, setEntraError] = useState<string>();
  const returning = window.location.pathname === CALLBACK_PATH;
  useEffect(() => {
    let cancelled = false;
    void loadEntraConfig()
      .then(async (config) => {
        if (cancelled || !config) return;
        setEntra(config);
        if (!returning) return;
        // Back from the identity provider: redeem the code for the access token and sign in with it.
        const { accessToken, returnTo } = await finishEntraSignIn(config, new URL(window.location.href));
        const session = new Session(accessToken);
        try {
          await session.client.request(ConsoleViewerDocument);
        } catch (e) {
          await session.close();
          throw new Error((e as Error & { code?: string }).code === 'UNAUTHENTICATED' ? 'Entra ID signed you in, but this platform did not accept the token: your account needs a Switchyard role (Switchyard.TenantAdmin, .Developer or .Viewer) in a tenant it knows.' : (e as Error).message);
        }
        if (!cancelled) onSignedIn(session, returnTo);
      })
      .catch((e: Error) => {
        if (cancelled) return;
        setEntraError(e.message);
        if (returning) window.history.replaceState(null, '', '/');
      });
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const trimmed = credential.trim();
    if (!trimmed) {
      setError('Enter an API key (sy_…) or an access token.');
      return;
    }
    setBusy(true);
    const session = new Session(trimmed);
    try {
      await session.client.request(ConsoleViewerDocument);
      onSignedIn(session);
    } catch (e) {
      await session.close();
      setError((e as Error & { code?: string }).code === 'UNAUTHENTICATED' ? 'This key was not accepted: it is unknown, revoked or expired.' : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} noValidate>
        <h1>Sign in to the console</h1>
        {entra ? (
          <div className="stack">
            <button
              type="button"
              className="primary"
              onClick={() => {
                setEntraError(undefined);
                startEntraSignIn(entra, '/').catch((e: Error) => setEntraError(`The identity provider could not be reached: ${e.message}`));
              }}
            >
              Sign in with Microsoft Entra ID
            </button>
            {entraError ? (
              <p className="field-error" role="alert">
                {entraError}
              </p>
            ) : null}
            <p className="muted">or with an API key:</p>
          </div>
        ) : null}
        <p className="muted">Use an API key of your tenant. Its role decides what you can see and do.</p>
        <Field label="API key" error={error} hint="Sent only to this platform's API as a bearer credential, kept for this browser tab.">
          <input type="password" autoComplete="off" value={credential} onChange={(e) => setCredential(e.target.value)} name="credential" />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
