import { useState, type FormEvent } from 'react';
import { ConsoleViewerDocument } from '@switchyard/client/browser';
import { Field } from '../components/field.tsx';
import { Session } from '../api/session.ts';

/** Sign in with an API key (or an Entra ID access token: the gateway accepts both as a bearer credential). */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [credential, setCredential] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
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
