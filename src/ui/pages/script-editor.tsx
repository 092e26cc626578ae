/**
 * One preset, provision or virtual parameter: its text in CodeMirror (loaded
 * lazily), lint's messages at their lines as the operator types (POST /lint,
 * debounced), a dry run of the unsaved text against a device, save (PUT, a
 * new stored version; write role) and the stored versions with their diffs.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, type Session } from '../lib/api';
import { kindOfRoute, type KindInfo, type LintMessage } from '../lib/scripts';
import { messageOf } from '../lib/use-load';
import type { CodeEditorProps } from '../components/code-editor';
import { DryRunPanel } from '../components/dry-run-panel';
import { Link } from '../components/link';
import { ScriptHistory } from '../components/script-history';
import '../scripts.css';

const LINT_DELAY_MS = 400;

interface Loaded {
  text: string;
  origin: 'file' | 'database' | 'new';
  version: number | null;
}

/** GET /<kind>/:name answers the text itself, not JSON; a new name starts empty. */
async function loadText(base: string, isNew: boolean): Promise<Loaded> {
  const res = await fetch(base, { credentials: 'same-origin', headers: { Accept: 'text/plain, */*' } });
  if (res.status === 404 && isNew) return { text: '', origin: 'new', version: null };
  if (!res.ok) throw new Error(((await res.json().catch(() => null)) as { error?: string } | null)?.error ?? `${res.status}`);
  const version = res.headers.get('ACS-Script-Version');
  return { text: await res.text(), origin: res.headers.get('ACS-Script-Origin') === 'file' ? 'file' : 'database', version: version === null ? null : Number(version) };
}

/** lint's messages for the text, asked LINT_DELAY_MS after the last keystroke. */
function useLint(k: KindInfo, name: string, text: string | null): LintMessage[] {
  const [messages, setMessages] = useState<LintMessage[]>([]);
  useEffect(() => {
    if (text === null) return;
    let live = true;
    const timer = setTimeout(() => {
      api<{ messages: LintMessage[] }>('POST', '/lint', { kind: k.kind, name, text }).then(
        (r) => live && setMessages(r.data.messages),
        (err: unknown) => live && setMessages([{ line: 0, column: 0, severity: 'error', message: `lint did not answer: ${messageOf(err)}` }]),
      );
    }, LINT_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [k.kind, name, text]);
  return messages;
}

function LintList(props: { messages: LintMessage[] }) {
  if (props.messages.length === 0) return <p class="ok-text" role="status">Lint: no problems.</p>;
  return (
    <ul class="lint-messages" role="status" aria-label="Lint messages">
      {props.messages.map((m, i) => (
        <li key={i} class={m.severity}>
          {m.line > 0 ? `Line ${m.line}: ` : ''}{m.severity}: {m.message}
        </li>
      ))}
    </ul>
  );
}

function useEditorComponent(): ComponentType<CodeEditorProps> | null {
  const [editor, setEditor] = useState<ComponentType<CodeEditorProps> | null>(null);
  useEffect(() => void import('../components/code-editor').then((m) => setEditor(() => m.CodeEditor)), []);
  return editor;
}

function SaveBar(props: { base: string; text: string; loaded: Loaded; session: Session; errors: number; onSaved: (version: number) => void }) {
  const [state, setState] = useState<{ busy: boolean; message: string | null; error: string | null }>({ busy: false, message: null, error: null });
  if (props.session.scope === 'read') return <p class="hint">Read access: saving needs the write role.</p>;
  if (props.loaded.origin === 'file') return <p class="hint">This one is a file of the server's folder: change it there (files win over stored versions).</p>;
  const save = async () => {
    setState({ busy: true, message: null, error: null });
    try {
      const r = await api<{ version: number; warnings: string[] }>('PUT', props.base, { source: props.text });
      setState({ busy: false, message: `Saved as version ${r.data.version}.`, error: null });
      props.onSaved(r.data.version);
    } catch (err) {
      setState({ busy: false, message: null, error: messageOf(err) });
    }
  };
  const unchanged = props.text === props.loaded.text && props.loaded.origin !== 'new';
  return (
    <div class="save-bar">
      <button type="button" onClick={() => void save()} disabled={state.busy || unchanged || props.errors > 0}>Save</button>
      {props.errors > 0 && <span class="hint"> Fix lint's errors to save.</span>}
      {state.message && <span role="status"> {state.message}</span>}
      {state.error && <span role="alert" class="error"> {state.error}</span>}
    </div>
  );
}

export function ScriptEditor(props: { route: string; name: string; isNew: boolean; session: Session }) {
  const k = kindOfRoute(props.route);
  const base = `/${props.route}/${encodeURIComponent(props.name)}`;
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [stamp, setStamp] = useState(0);
  const Editor = useEditorComponent();
  useEffect(() => {
    // Another script (Back or Forward between two): nothing of the last one stays, the editor starts again with the new text.
    setLoaded(null);
    setText(null);
    setError(null);
    let live = true;
    loadText(base, props.isNew).then((l) => live && (setLoaded(l), setText(l.text)), (err: unknown) => live && setError(messageOf(err)));
    return () => void (live = false);
  }, [base]);
  const messages = useLint(k ?? { kind: 'provision', route: '', title: '', language: 'javascript' }, props.name, text);
  if (!k) return <p role="alert">No such kind: {props.route}. <Link to="/scripts">Presets and provisions</Link></p>;
  if (error) return <p role="alert" class="error">{error}</p>;
  if (!loaded || text === null) return <p class="loading">Loading…</p>;
  const onSaved = (version: number) => {
    setLoaded({ text, origin: 'database', version });
    setStamp((s) => s + 1);
  };
  return (
    <>
      <p><Link to="/scripts">Presets and provisions</Link></p>
      <h1>{k.title.replace(/s$/, '')} {props.name} <span class="count">{loaded.origin === 'new' ? 'new' : `${loaded.origin}${loaded.version ? `, version ${loaded.version}` : ''}`}</span></h1>
      {Editor ? <Editor key={base} value={text} language={k.language} messages={messages} readOnly={false} label={`${k.kind} ${props.name}`} onChange={setText} /> : <p class="loading">Loading the editor…</p>}
      <LintList messages={messages} />
      <SaveBar base={base} text={text} loaded={loaded} session={props.session} errors={messages.filter((m) => m.severity === 'error').length} onSaved={onSaved} />
      {k.kind !== 'virtual-parameter' && (
        <section aria-labelledby="dry-run-title">
          <h2 id="dry-run-title">Dry run</h2>
          <DryRunPanel kind={k.kind} name={props.name} text={text} />
        </section>
      )}
      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <ScriptHistory base={base} stamp={stamp} />
      </section>
    </>
  );
}
