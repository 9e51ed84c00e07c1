import { useEffect, useState } from 'preact/hooks';
import type { EcrCall } from './ecr-client';
import type { Credentials } from './ecr-request';
import { parseRoute, pullThroughHref, repositoriesHref, type Route } from './routes';
import { ImageView } from './views/image';
import { ImagesView } from './views/images';
import { PullThroughView } from './views/pull-through';
import { RepositoriesView } from './views/repositories';
import { SignIn } from './views/sign-in';

interface Session {
  readonly credentials: Credentials;
  readonly ecr: EcrCall;
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => {
      setRoute(parseRoute(location.hash));
      // Move focus to the new view's heading, as a page load would, so keyboard and screen reader users follow.
      requestAnimationFrame(() => document.querySelector<HTMLElement>('main h2')?.focus());
    };
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/** The console: sign in, then the repositories → images → image views over the same origin's ECR API. */
export function App({ origin }: { origin: string }) {
  const [session, setSession] = useState<Session>();
  const route = useRoute();
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <h1>
          <a href={repositoriesHref()}>cargohold</a>
        </h1>
        {session && (
          <nav aria-label="Sections" class="sections">
            <a href={repositoriesHref()} aria-current={route.view === 'pull-through' ? undefined : 'page'}>
              Repositories
            </a>
            <a href={pullThroughHref()} aria-current={route.view === 'pull-through' ? 'page' : undefined}>
              Pull-through cache
            </a>
          </nav>
        )}
        {session && (
          <div class="who">
            <span>
              {session.credentials.accessKeyId} · {session.credentials.region}
            </span>
            <button type="button" onClick={() => setSession(undefined)}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {!session ? <SignIn origin={origin} onSignedIn={(credentials, ecr) => setSession({ credentials, ecr })} /> : <View ecr={session.ecr} route={route} />}
      </main>
    </>
  );
}

function View({ ecr, route }: { ecr: EcrCall; route: Route }) {
  switch (route.view) {
    case 'repositories':
      return <RepositoriesView ecr={ecr} />;
    case 'pull-through':
      return <PullThroughView ecr={ecr} />;
    case 'images':
      return <ImagesView key={route.repository} ecr={ecr} repository={route.repository} />;
    case 'image':
      return <ImageView key={`${route.repository}@${route.digest}`} ecr={ecr} repository={route.repository} digest={route.digest} />;
  }
}
