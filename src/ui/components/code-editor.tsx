/**
 * CodeMirror 6 holding a script's text: JavaScript or YAML highlighting,
 * lint's messages as diagnostics at their line (underlined, a marker in the
 * gutter, the message on hover). Loaded on its own (the editor page imports
 * it lazily), so the first page stays small.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { yaml } from '@codemirror/lang-yaml';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState, type Text } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { useEffect, useRef } from 'preact/hooks';
import type { LintMessage } from '../lib/scripts';

export interface CodeEditorProps {
  value: string;
  language: 'javascript' | 'yaml';
  /** The messages of POST /lint for the text shown. */
  messages: LintMessage[];
  readOnly: boolean;
  label: string;
  onChange(text: string): void;
}

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
  /** The text the editor last reported: its own typing coming back as `value` is not a new text. */
  const reported = useRef(props.value);

  useEffect(() => {
    const v = new EditorView({
      parent: host.current as HTMLDivElement,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          lineNumbers(), history(), highlightActiveLine(), lintGutter(),
          syntaxHighlighting(defaultHighlightStyle),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          props.language === 'yaml' ? yaml() : javascript(),
          EditorState.readOnly.of(props.readOnly),
          EditorView.contentAttributes.of({ 'aria-label': props.label }),
          EditorView.updateListener.of((u) => {
            if (!u.docChanged) return;
            reported.current = u.state.doc.toString();
            onChange.current(reported.current);
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
  }, [props.language, props.readOnly]);

  // A text from elsewhere (another version) replaces the document; the editor's own typing does not.
  useEffect(() => {
    const v = view.current;
    if (v && props.value !== reported.current && v.state.doc.toString() !== props.value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
  }, [props.value]);

  useEffect(() => {
    const v = view.current;
    if (v) v.dispatch(setDiagnostics(v.state, props.messages.map((m) => diagnosticOf(v.state.doc, m))));
  }, [props.messages]);

  return <div class="code-editor" ref={host} />;
}
