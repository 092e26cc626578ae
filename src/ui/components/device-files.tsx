/**
 * Files the device uploaded to the ACS's file store (CPE Upload RPCs, e.g.
 * configuration backups): GET /files?deviceKey=, each with a download link
 * (GET /files/:name). A writer may ask for a new configuration backup (the
 * config-backup workflow); the list is read again when it ends.
 */
import { api, withQuery } from '../lib/api';
import { ago, exact } from '../lib/format';
import { useLoad } from '../lib/use-load';
import { sizeText, type StoredFile } from './device-firmware';
import { RunLine, WaitingHint, isFinal, useWorkflowRun } from './device-workflow-run';
import '../device-diagnostics.css';

function Backup(props: { deviceId: string; onDone: () => void }) {
  const flow = useWorkflowRun(props.deviceId, 'config-backup', props.onDone);
  const going = flow.run !== null && !isFinal(flow.run.status);
  return (
    <div class="backup">
      <button type="button" disabled={flow.busy || going} onClick={() => void flow.start({ prefix: 'config' })}>Back up configuration</button>
      {flow.run && <RunLine run={flow.run} what="Configuration backup" />}
      {flow.run && <WaitingHint deviceId={props.deviceId} run={flow.run} canWrite />}
      {flow.error && <p class="error" role="alert">{flow.error}</p>}
    </div>
  );
}

export function DeviceFiles(props: { deviceId: string; canWrite: boolean }) {
  const files = useLoad(async () => (await api<StoredFile[]>('GET', withQuery('/files', { deviceKey: props.deviceId }))).data, [props.deviceId]);
  const list = files.data ? [...files.data].sort((a, b) => b.uploaded - a.uploaded) : null;
  return (
    <div class="device-files">
      {files.error && <p class="error" role="alert">{files.error}</p>}
      {list && list.length === 0 && <p class="none">This device has uploaded no files.</p>}
      {list && list.length > 0 && (
        <div class="table-wrap">
          <table class="list" aria-label="Uploaded files">
            <thead>
              <tr><th>File</th><th>Type</th><th>Size</th><th>Uploaded</th></tr>
            </thead>
            <tbody>
              {list.map((f) => (
                <tr key={f.name}>
                  <td><a href={`/files/${encodeURIComponent(f.name)}`} download={f.name}>{f.name}</a></td>
                  <td>{f.fileType ?? '—'}</td>
                  <td>{sizeText(f.size)}</td>
                  <td title={exact(f.uploaded)}>{ago(f.uploaded)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {props.canWrite && <Backup deviceId={props.deviceId} onDone={files.reload} />}
    </div>
  );
}
