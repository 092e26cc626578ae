/**
 * The device's diagnostics: ping, traceroute and the TR-143 speed tests
 * (download, upload), each the workflow of that name (workflows/*.yaml)
 * started with the small form's arguments and followed to its end; the
 * latest run's result stays shown (figures, hops, throughput), or why it
 * failed. Starting a test needs the write role; a reader sees the results.
 */
import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { PingResult, SpeedResult, TraceResult, valuesOf, type Values } from './diagnostics-results';
import { RunLine, WaitingHint, isFinal, useWorkflowRun, type Run } from './device-workflow-run';
import '../device-diagnostics.css';

type Kind = 'ping' | 'traceroute' | 'download' | 'upload';

interface Field {
  /** The workflow argument. */
  arg: string;
  label: string;
  type: 'text' | 'number' | 'url';
  initial: string;
  required?: boolean;
  min?: number;
  max?: number;
  placeholder?: string;
}

interface Test {
  /** The button choosing it. */
  label: string;
  /** Names the run in its status line ("Ping failed: …"). */
  what: string;
  workflow: string;
  fields: Field[];
  result(values: Values): ComponentChildren;
}

const HOST: Field = { arg: 'host', label: 'Host', type: 'text', initial: '', required: true, placeholder: 'example.net or 192.0.2.1' };

// Inputs are checked against the simulator's and TR-181's ranges (NumberOfRepetitions >= 1, MaxHopCount 1-64).
const TESTS: Record<Kind, Test> = {
  ping: {
    label: 'Ping', what: 'Ping', workflow: 'ipping',
    fields: [HOST, { arg: 'repetitions', label: 'Count', type: 'number', initial: '4', min: 1, max: 100 }],
    result: (v) => <PingResult values={v} />,
  },
  traceroute: {
    label: 'Traceroute', what: 'Traceroute', workflow: 'traceroute',
    fields: [HOST, { arg: 'maxHopCount', label: 'Max hops', type: 'number', initial: '30', min: 1, max: 64 }],
    result: (v) => <TraceResult values={v} />,
  },
  download: {
    label: 'Download speed', what: 'Download speed test', workflow: 'download-diagnostics',
    fields: [{ arg: 'url', label: 'Download URL', type: 'url', initial: '', required: true, placeholder: 'http://speed.example.net/10MB.bin' }],
    result: (v) => <SpeedResult values={v} direction="download" />,
  },
  upload: {
    label: 'Upload speed', what: 'Upload speed test', workflow: 'upload-diagnostics',
    fields: [
      { arg: 'url', label: 'Upload URL', type: 'url', initial: '', required: true, placeholder: 'http://speed.example.net/upload' },
      { arg: 'fileLength', label: 'Bytes to send', type: 'number', initial: '1048576', min: 1, max: 1_073_741_824 },
    ],
    result: (v) => <SpeedResult values={v} direction="upload" />,
  },
};

const KINDS = Object.keys(TESTS) as Kind[];

/** The form's texts as the workflow's arguments: numbers as numbers. */
function argsOf(test: Test, texts: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(test.fields.map((f) => [f.arg, f.type === 'number' ? Number(texts[f.arg]) : texts[f.arg].trim()]));
}

function TestForm(props: { kind: Kind; test: Test; busy: boolean; onRun: (args: Record<string, unknown>) => void }) {
  const { kind, test } = props;
  const [texts, setTexts] = useState<Record<string, string>>(() => Object.fromEntries(test.fields.map((f) => [f.arg, f.initial])));
  return (
    <form class="inline diag-form" onSubmit={(e) => (e.preventDefault(), props.onRun(argsOf(test, texts)))}>
      {test.fields.map((f) => {
        const id = `diag-${kind}-${f.arg}`;
        return [
          <label key={`${id}-l`} for={id}>{f.label}</label>,
          // The cast: Preact types each input type apart, and a union of them fits none; all three take these attributes.
          <input
            key={id} id={id} type={f.type as 'text'} value={texts[f.arg]} required={f.required} min={f.min} max={f.max} placeholder={f.placeholder}
            class={f.type === 'number' ? 'narrow' : 'wide'}
            onInput={(e) => setTexts({ ...texts, [f.arg]: e.currentTarget.value })}
          />,
        ];
      })}
      <button type="submit" disabled={props.busy}>Run {test.label.toLowerCase()}</button>
    </form>
  );
}

/** When the run was asked for, and with what (the host or URL tested). */
function RunOf(props: { run: Run }) {
  const target = props.run.args.host ?? props.run.args.url;
  return <p class="hint">{typeof target === 'string' ? `${target}, ` : ''}started {new Date(props.run.createdAt).toLocaleString()}</p>;
}

function TestPanel(props: { kind: Kind; deviceId: string; canWrite: boolean; onChanged: () => void }) {
  const test = TESTS[props.kind];
  const flow = useWorkflowRun(props.deviceId, test.workflow, props.onChanged);
  const run = flow.run;
  const going = run !== null && !isFinal(run.status);
  return (
    <div class="diag-panel">
      {props.canWrite && <TestForm kind={props.kind} test={test} busy={flow.busy || going} onRun={(args) => void flow.start(args)} />}
      {run && <RunOf run={run} />}
      {run && <RunLine run={run} what={test.what} />}
      {run && <WaitingHint deviceId={props.deviceId} run={run} canWrite={props.canWrite} />}
      {props.canWrite && going && <button type="button" class="small" disabled={flow.busy} onClick={() => void flow.cancel()}>Cancel {test.what.toLowerCase()}</button>}
      {run?.status === 'done' && test.result(valuesOf(run))}
      {!run && !props.canWrite && <p class="none">No {test.what.toLowerCase()} run on this device yet.</p>}
      {flow.error && <p class="error" role="alert">{flow.error}</p>}
    </div>
  );
}

export function DeviceDiagnostics(props: { deviceId: string; canWrite: boolean; onChanged: () => void }) {
  const [kind, setKind] = useState<Kind>('ping');
  return (
    <div class="diagnostics">
      <div class="segmented" role="group" aria-label="Diagnostic test">
        {KINDS.map((k) => (
          <button key={k} type="button" aria-pressed={k === kind} onClick={() => setKind(k)}>{TESTS[k].label}</button>
        ))}
      </div>
      <TestPanel key={kind} kind={kind} deviceId={props.deviceId} canWrite={props.canWrite} onChanged={props.onChanged} />
    </div>
  );
}
