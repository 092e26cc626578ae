/**
 * CodeMirror 6 holding a script's text: JavaScript or YAML highlighting,
 * lint's messages as diagnostics at their line (underlined, a marker in the
 * gutter, the message on hover). Loaded on its own (the editor page imports
 * it lazily), so the first page stays small.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { yaml } from '@codemirror/lang-yaml';
import { defaultHighlightStyle, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState, type Text } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { useEffect, useRef } from 'preact/hooks';
import type { LintMessage } from '../lib/scripts';

export interface CodeEditorProps {
  /**
   * The text the editor starts with; from then on the editor owns it and
   * reports each change through onChange. Another text (another script or
   * version) is a new editor: render it with a new `key`.
   */
  value: string;
  language: 'javascript' | 'yaml';
  /** The messages of POST /lint for the text shown. */
  messages: LintMessage[];
  readOnly: boolean;
  label: string;
  onChange(text: string): void;
}

/**
 * The nonce the server gave this page for inline styles (index.html's meta,
 * src/nbi/ui-assets.ts): CodeMirror's styles go in a <style> element, which
 * the page's CSP refuses without it. Read from the `nonce` property: the
 * browser hides the attribute's value once the page has a CSP.
 */
function cspNonce(): string {
  return document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce ?? '';
}

/**
 * CodeMirror's default colours with the three below WCAG AA (4.5:1) on the
 * active line's tint darkened: regular expressions and escapes (#e40, 3.7:1),
 * invalid text (#f00, 3.8:1) and type names (#085, 4.3:1); each now 5.5:1 or more.
 */
const DARKER: Record<string, string> = { '#e40': '#b52a00', '#f00': '#c00000', '#085': '#066c44' };
const highlightStyle = HighlightStyle.define(
  defaultHighlightStyle.specs.map((spec) => (typeof spec.color === 'string' && spec.color in DARKER ? { ...spec, color: DARKER[spec.color] } : spec)),
);

/** A message's place in the document: its line (the first when none applies), from its column to the line's end. */
function diagnosticOf(doc: Text, m: LintMessage): Diagnostic {
  const line = doc.line(Math.min(Math.max(m.line, 1), doc.lines));
  const from = Math.min(line.from + Math.max(m.column - 1, 0), line.to);
  return { from, to: line.to > from ? line.to : from, severity: m.severity, message: m.message };
}

export function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;

  useEffect(() => {
    const v = new EditorView({
      parent: host.current as HTMLDivElement,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          EditorView.cspNonce.of(cspNonce()),
          lineNumbers(), history(), highlightActiveLine(), lintGutter(),
          syntaxHighlighting(highlightStyle),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          props.language === 'yaml' ? yaml() : javascript(),
          EditorState.readOnly.of(props.readOnly),
          EditorView.contentAttributes.of({ 'aria-label': props.label }),
          EditorView.updateListener.of((u) => u.docChanged && onChange.current(u.state.doc.toString())),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
  }, [props.language, props.readOnly]);

  // No effect copies `value` back into the document. One did (when it differed from the last text reported),
  // and typing froze the page: an effect of one render runs when the next render starts, so after two quick keys
  // it put the previous text back, which was reported, rendered and put back in turn, forever (and a key was lost).

  useEffect(() => {
    const v = view.current;
    if (v) v.dispatch(setDiagnostics(v.state, props.messages.map((m) => diagnosticOf(v.state.doc, m))));
  }, [props.messages]);

  return <div class="code-editor" ref={host} />;
}
