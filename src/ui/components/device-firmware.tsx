/**
 * Firmware upgrade of one device: the operator picks an image of the file
 * store (GET /files, fileType "1 Firmware Upgrade Image"), says which
 * SoftwareVersion the device must come back with (the file's version by
 * default), confirms, and the firmware-upgrade workflow runs with the file's
 * URL (GET /files/:name/url): Download, TransferComplete, BOOT, version check.
 * Its progress and outcome stay shown; a reader sees only those.
 */
import { useState } from 'preact/hooks';
import { api, encodeId, withQuery } from '../lib/api';
import { messageOf, useLoad } from '../lib/use-load';
import { ConfirmDialog } from './confirm-dialog';
import { RunLine, WaitingHint, isFinal, useWorkflowRun, type Run } from './device-workflow-run';
import '../device-diagnostics.css';

export const FIRMWARE = '1 Firmware Upgrade Image';

/** GET /files (src/files/types.ts StoredFile), the fields used. */
export interface StoredFile {
  name: string;
  size: number;
  fileType?: string;
  version?: string;
  oui?: string;
  productClass?: string;
  deviceKey?: string;
  uploaded: number;
}

/** The firmware-upgrade workflow's steps, as the operator reads them while they wait. */
const STEPS: Record<string, string> = {
  previous: 'reading the current version',
  download: 'sending the Download to the device',
  transfer: 'the device is downloading the image',
  transferResult: 'checking the transfer',
  boot: 'waiting for the device to reboot',
  verify: 'checking the version',
  rollback: 'downloading the previous image again',
  rollbackTransfer: 'the device is downloading the previous image',
};

export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function Outcome(props: { run: Run }) {
  const { run } = props;
  const to = typeof run.args.version === 'string' ? run.args.version : '';
  const from = (run.output.previous as { version?: unknown } | undefined)?.version;
  return (
    <>
      <p class="hint">Upgrade {from === undefined || from === null ? '' : `from ${String(from)} `}to {to}, started {new Date(run.createdAt).toLocaleString()}</p>
      <RunLine run={run} what="Firmware upgrade" steps={STEPS} />
      {run.status === 'done' && <p class="ok-line">The device runs {String((run.output.done as { version?: unknown } | undefined)?.version ?? to)}.</p>}
    </>
  );
}

function UpgradeForm(props: { deviceId: string; images: StoredFile[]; busy: boolean; onUpgrade: (file: StoredFile, version: string) => void }) {
  const [name, setName] = useState('');
  const [version, setVersion] = useState('');
  const [confirming, setConfirming] = useState(false);
  const file = props.images.find((f) => f.name === name) ?? null;
  const choose = (n: string) => {
    setName(n);
    setVersion(props.images.find((f) => f.name === n)?.version ?? '');
  };
  if (props.images.length === 0) return <p class="none">No firmware image in the file store: upload one as fileType “{FIRMWARE}” (PUT /files/:name).</p>;
  return (
    <>
      <form class="inline" onSubmit={(e) => (e.preventDefault(), setConfirming(true))}>
        <label for="fw-file">Firmware image</label>
        <select id="fw-file" required value={name} onChange={(e) => choose(e.currentTarget.value)}>
          <option value="">Choose an image…</option>
          {props.images.map((f) => <option key={f.name} value={f.name}>{f.name}{f.version ? ` (${f.version})` : ''}, {sizeText(f.size)}</option>)}
        </select>
        <label for="fw-version">Expected version</label>
        <input id="fw-version" required value={version} onInput={(e) => setVersion(e.currentTarget.value)} placeholder="e.g. 2.1.0" title="The SoftwareVersion the device must report after the upgrade" />
        <button type="submit" disabled={props.busy}>Upgrade firmware…</button>
      </form>
      {confirming && file && (
        <ConfirmDialog
          title="Upgrade firmware?"
          confirm={`Upgrade to ${version.trim()}`}
          onCancel={() => setConfirming(false)}
          onConfirm={() => (setConfirming(false), props.onUpgrade(file, version.trim()))}
        >
          <p>The device <strong>{props.deviceId}</strong> downloads <strong>{file.name}</strong> ({sizeText(file.size)}), installs it and reboots.</p>
          <p>The upgrade is done when it comes back with SoftwareVersion <strong>{version.trim()}</strong>; another version fails it.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

export function DeviceFirmware(props: { deviceId: string; canWrite: boolean; onChanged: () => void }) {
  const images = useLoad(async () => (await api<StoredFile[]>('GET', withQuery('/files', { fileType: FIRMWARE }))).data, []);
  const flow = useWorkflowRun(props.deviceId, 'firmware-upgrade', props.onChanged);
  const [error, setError] = useState<string | null>(null);
  const going = flow.run !== null && !isFinal(flow.run.status);
  const upgrade = async (file: StoredFile, version: string) => {
    setError(null);
    try {
      const { url } = (await api<{ url: string }>('GET', `/files/${encodeId(file.name)}/url`)).data;
      await flow.start({ url, version, fileSize: file.size });
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <div class="firmware">
      {props.canWrite && images.data && <UpgradeForm deviceId={props.deviceId} images={images.data} busy={flow.busy || going} onUpgrade={(f, v) => void upgrade(f, v)} />}
      {flow.run && <Outcome run={flow.run} />}
      {flow.run && <WaitingHint deviceId={props.deviceId} run={flow.run} canWrite={props.canWrite} />}
      {props.canWrite && going && <button type="button" class="small" disabled={flow.busy} onClick={() => void flow.cancel()}>Cancel the upgrade</button>}
      {!flow.run && !props.canWrite && <p class="none">No firmware upgrade run on this device yet.</p>}
      {(error ?? flow.error ?? images.error) && <p class="error" role="alert">{error ?? flow.error ?? images.error}</p>}
    </div>
  );
}
