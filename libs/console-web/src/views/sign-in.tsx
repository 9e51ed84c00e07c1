import { useState } from 'preact/hooks';
import { ecrClient, type EcrCall } from '../ecr-client';
import type { Credentials } from '../ecr-request';
import { ErrorNote } from '../widgets';

/**
 * Sign-in with an access key. The keys are checked with one signed call (DescribeRegistry) and then held
 * in memory only: never a cookie, never localStorage or sessionStorage, so a reload or a closed tab signs out.
 */
export function SignIn({ origin, onSignedIn }: { origin: string; onSignedIn: (credentials: Credentials, ecr: EcrCall) => void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (form: HTMLFormElement) => {
    const field = (name: string) => String(new FormData(form).get(name) ?? '').trim();
    const sessionToken = field('sessionToken');
    const credentials: Credentials = {
      accessKeyId: field('accessKeyId'),
      secretAccessKey: field('secretAccessKey'),
      region: field('region') || 'us-east-1',
      ...(sessionToken ? { sessionToken } : {}),
    };
    setBusy(true);
    setError(undefined);
    try {
      const ecr = ecrClient(credentials, origin);
      await ecr('DescribeRegistry', {});
      form.reset();
      onSignedIn(credentials, ecr);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <section class="sign-in" aria-labelledby="sign-in-heading">
      <h2 tabIndex={-1} id="sign-in-heading">
        Sign in
      </h2>
      <p class="muted">The browser signs each ECR API call with these keys (SigV4). They stay in this tab's memory and are never stored.</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit(event.currentTarget);
        }}
      >
        <label for="access-key-id">Access key ID</label>
        <input id="access-key-id" name="accessKeyId" required autoComplete="username" spellcheck={false} />
        <label for="secret-access-key">Secret access key</label>
        <input id="secret-access-key" name="secretAccessKey" type="password" required autoComplete="current-password" />
        <label for="session-token">Session token (optional)</label>
        <input id="session-token" name="sessionToken" type="password" autoComplete="off" />
        <label for="region">Region</label>
        <input id="region" name="region" defaultValue="us-east-1" required spellcheck={false} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {error !== undefined && <ErrorNote error={error} />}
    </section>
  );
}
