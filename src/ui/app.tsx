/**
 * The UI's frame: who is signed in (GET /session: the cookie is HttpOnly, so
 * asking is the only way to know), the header with sign-out, and the page of
 * the address. Later pages add a line to PAGES and to the navigation.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, useSession, whenSignedOut, type Session } from './lib/api';
import { navigate, useRoute, type Route } from './lib/router';
import { Link } from './components/link';
import { SignIn } from './pages/sign-in';
import { Devices } from './pages/devices';
import { Device } from './pages/device';
import { Scripts } from './pages/scripts';
import { ScriptEditor } from './pages/script-editor';
import { Overview } from './pages/overview';
import { Tokens } from './pages/tokens';
import { Audit } from './pages/audit';
import { Webhooks } from './pages/webhooks';
import { Campaigns } from './pages/campaigns';
import { CampaignPage } from './pages/campaign';
import { Workflows, WorkflowRunPage } from './pages/workflows';
import { Files } from './pages/files';
import { Qoe } from './pages/qoe';
import { QoeReports } from './pages/qoe-reports';

interface Page {
  /** Matches the path below /ui; its groups are the page's arguments. */
  pattern: RegExp;
  title: string;
  render(route: Route, match: RegExpMatchArray, session: Session): preact.JSX.Element;
}

const PAGES: Page[] = [
  { pattern: /^\/(devices)?\/?$/, title: 'Devices', render: (route) => <Devices route={route} /> },
  { pattern: /^\/devices\/([^/]+)$/, title: 'Device', render: (_, m, session) => <Device id={decodeURIComponent(m[1])} session={session} /> },
  { pattern: /^\/scripts\/?$/, title: 'Presets and provisions', render: (_, __, session) => <Scripts session={session} /> },
  { pattern: /^\/scripts\/([^/]+)\/([^/]+)$/, title: 'Script', render: (route, m, session) => <ScriptEditor route={m[1]} name={decodeURIComponent(m[2])} isNew={route.query.has('new')} session={session} /> },
  { pattern: /^\/overview$/, title: 'Overview', render: () => <Overview /> },
  { pattern: /^\/admin\/tokens$/, title: 'API tokens', render: () => <Tokens /> },
  { pattern: /^\/admin\/audit$/, title: 'Audit log', render: () => <Audit /> },
  { pattern: /^\/admin\/webhooks$/, title: 'Webhooks', render: () => <Webhooks /> },
  { pattern: /^\/campaigns\/?$/, title: 'Campaigns', render: (route, _, session) => <Campaigns route={route} session={session} /> },
  { pattern: /^\/campaigns\/([^/]+)$/, title: 'Campaign', render: (_, m, session) => <CampaignPage id={decodeURIComponent(m[1])} session={session} /> },
  { pattern: /^\/workflows\/?$/, title: 'Workflows', render: (route) => <Workflows route={route} /> },
  { pattern: /^\/workflows\/runs\/([^/]+)$/, title: 'Workflow run', render: (_, m, session) => <WorkflowRunPage id={decodeURIComponent(m[1])} session={session} /> },
  { pattern: /^\/files\/?$/, title: 'Files', render: (_, __, session) => <Files session={session} /> },
  { pattern: /^\/qoe\/?$/, title: 'Quality of experience', render: (_, __, session) => <Qoe session={session} /> },
  { pattern: /^\/qoe\/reports\/?$/, title: 'Fleet reports', render: (route) => <QoeReports route={route} /> },
];

type State = { kind: 'loading' } | { kind: 'out' } | { kind: 'in'; session: Session };

function Header(props: { session: Session; onSignOut: () => void }) {
  return (
    <header class="top">
      <nav aria-label="Main">
        <Link to="/devices" class="brand">ACS</Link>
        <Link to="/overview">Overview</Link>
        <Link to="/devices">Devices</Link>
        <Link to="/scripts">Presets and provisions</Link>
        <Link to="/campaigns">Campaigns</Link>
        <Link to="/workflows">Workflows</Link>
        <Link to="/files">Files</Link>
        <Link to="/qoe">QoE</Link>
        {props.session.scope === 'admin' && [<Link key="t" to="/admin/tokens">Tokens</Link>, <Link key="a" to="/admin/audit">Audit log</Link>, <Link key="w" to="/admin/webhooks">Webhooks</Link>]}
      </nav>
      <div class="who">
        <span>
          Signed in as <strong>{props.session.name}</strong> ({props.session.scope})
        </span>
        <button type="button" onClick={props.onSignOut}>Sign out</button>
      </div>
    </header>
  );
}

function Body(props: { route: Route; session: Session }) {
  for (const page of PAGES) {
    const match = props.route.path.match(page.pattern);
    if (match) {
      document.title = `${page.title} · ACS`;
      return page.render(props.route, match, props.session);
    }
  }
  return <p role="alert">No such page. <Link to="/devices">Devices</Link></p>;
}

export function App() {
  const route = useRoute();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const signedIn = (session: Session) => {
    useSession(session);
    setState({ kind: 'in', session });
  };
  const signedOut = () => {
    useSession(null);
    setState({ kind: 'out' });
  };
  useEffect(() => {
    whenSignedOut(signedOut);
    api<Session>('GET', '/session').then((r) => signedIn(r.data), signedOut);
  }, []);
  const signOut = async () => {
    await api('POST', '/sign-out').catch(() => undefined);
    signedOut();
    navigate('/', true);
  };
  if (state.kind === 'loading') return <p class="loading">Loading…</p>;
  if (state.kind === 'out') return <SignIn onSignedIn={signedIn} />;
  return (
    <>
      <a href="#main" class="skip">Skip to content</a>
      <Header session={state.session} onSignOut={signOut} />
      <main id="main" tabIndex={-1}>
        <Body route={route} session={state.session} />
      </main>
    </>
  );
}
