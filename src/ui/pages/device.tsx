/**
 * One device: identity, online state, tags, actions (reboot, factory reset,
 * connection request), diagnostics, firmware upgrade, uploaded files, its
 * tasks, faults, QoE charts, event history, SOAP trace, and the parameter tree with
 * in-place edits.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, encodeId, type Session } from '../lib/api';
import { ago, exact, isOnline } from '../lib/format';
import type { DeviceDetail } from '../../db/types';
import { buildTree } from '../lib/tree';
import { Link } from '../components/link';
import { ParamTree } from '../components/param-tree';
import { TagsEditor } from '../components/tags-editor';
import { DeviceActions } from '../components/device-actions';
import { DeviceFaults } from '../components/device-faults';
import { DeviceTasks } from '../components/device-tasks';
import { TraceSwitch } from '../components/trace-switch';
import { DeviceDiagnostics } from '../components/device-diagnostics';
import { DeviceFirmware } from '../components/device-firmware';
import { DeviceEvents } from '../components/device-events';
import { DeviceFiles } from '../components/device-files';
import { QoeDeviceCharts } from '../components/qoe-device';

/** GET /devices/:id: the stored device (db/types.ts) and its last connection request. */
type Detail = DeviceDetail & { connectionRequest: { outcome: string } | null };

const INTERVALS = ['Device.ManagementServer.PeriodicInformInterval', 'InternetGatewayDevice.ManagementServer.PeriodicInformInterval'];

function Identity(props: { d: Detail }) {
  const { d } = props;
  const interval = Number(d.parameters.find((p) => INTERVALS.includes(p.path))?.value ?? NaN);
  const online = isOnline(d.lastInform, Number.isFinite(interval) ? interval : undefined);
  const rows: [string, string | null][] = [
    ['Manufacturer', d.manufacturer], ['OUI', d.oui], ['Product class', d.productClass], ['Serial number', d.serialNumber],
    ['Software version', d.softwareVersion], ['Hardware version', d.hardwareVersion], ['Address', d.remoteAddress], ['CWMP', d.cwmpVersion],
  ];
  return (
    <dl class="identity">
      <dt>State</dt>
      <dd><span class={online ? 'dot on' : 'dot off'} aria-hidden="true" /> {online ? 'Online' : 'Offline'}</dd>
      <dt>Last inform</dt>
      <dd title={exact(d.lastInform)}>{ago(d.lastInform)}</dd>
      <dt>Last boot</dt>
      <dd title={exact(d.lastBoot)}>{ago(d.lastBoot)}</dd>
      {rows.map(([k, v]) => [<dt key={`${k}-t`}>{k}</dt>, <dd key={`${k}-d`}>{v ?? '—'}</dd>])}
      {d.connectionRequest && [<dt key="cr-t">Connection request</dt>, <dd key="cr-d">{d.connectionRequest.outcome}</dd>]}
    </dl>
  );
}

export function Device(props: { id: string; session: Session }) {
  const [device, setDevice] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  useEffect(() => {
    let live = true;
    api<Detail>('GET', `/devices/${encodeId(props.id)}`).then(
      (r) => live && setDevice(r.data),
      (err: unknown) => live && setError(err instanceof ApiError ? err.message : String(err)),
    );
    return () => void (live = false);
  }, [props.id, version]);
  const tree = useMemo(() => (device ? buildTree(device.parameters) : null), [device]);
  const canWrite = props.session.scope !== 'read';
  if (error) return <p class="error" role="alert">{error} <Link to="/devices">Back to devices</Link></p>;
  if (!device || !tree) return <p class="loading">Loading…</p>;
  return (
    <article aria-labelledby="device-title">
      <p class="crumbs"><Link to="/devices">Devices</Link> ›</p>
      <h1 id="device-title">{device.deviceKey}</h1>
      <div class="columns-2">
        <section aria-labelledby="identity-title">
          <h2 id="identity-title">Identity</h2>
          <Identity d={device} />
        </section>
        <section aria-labelledby="tags-title">
          <h2 id="tags-title">Tags</h2>
          <TagsEditor deviceId={device.deviceKey} tags={device.tags} canWrite={canWrite} onChanged={reload} />
        </section>
      </div>
      {canWrite && (
        <section aria-labelledby="actions-title">
          <h2 id="actions-title">Actions</h2>
          <DeviceActions deviceId={device.deviceKey} onChanged={reload} />
        </section>
      )}
      <section aria-labelledby="diagnostics-title">
        <h2 id="diagnostics-title">Diagnostics</h2>
        <DeviceDiagnostics deviceId={device.deviceKey} canWrite={canWrite} onChanged={reload} />
      </section>
      <div class="columns-2">
        <section aria-labelledby="firmware-title">
          <h2 id="firmware-title">Firmware</h2>
          <DeviceFirmware deviceId={device.deviceKey} canWrite={canWrite} onChanged={reload} />
        </section>
        <section aria-labelledby="files-title">
          <h2 id="files-title">Uploaded files</h2>
          <DeviceFiles deviceId={device.deviceKey} canWrite={canWrite} />
        </section>
      </div>
      <div class="columns-2">
        <section aria-labelledby="tasks-title">
          <h2 id="tasks-title">Tasks</h2>
          <DeviceTasks deviceId={device.deviceKey} canWrite={canWrite} version={version} />
        </section>
        <section aria-labelledby="faults-title">
          <h2 id="faults-title">Faults</h2>
          <DeviceFaults deviceId={device.deviceKey} faults={device.faults} channelFaults={device.channelFaults} canWrite={canWrite} onChanged={reload} />
        </section>
      </div>
      <section aria-labelledby="quality-title">
        <h2 id="quality-title">Quality</h2>
        <QoeDeviceCharts deviceId={device.deviceKey} />
      </section>
      <section aria-labelledby="events-title">
        <h2 id="events-title">Event history</h2>
        <DeviceEvents history={device.history} pendingEvents={device.pendingEvents} />
      </section>
      <section aria-labelledby="trace-title">
        <h2 id="trace-title">SOAP trace</h2>
        <TraceSwitch deviceId={device.deviceKey} canWrite={canWrite} />
      </section>
      <section aria-labelledby="params-title">
        <h2 id="params-title">Parameters <span class="count">{device.parameters.length}</span></h2>
        <ParamTree tree={tree} deviceId={device.deviceKey} canWrite={canWrite} onChanged={reload} />
      </section>
    </article>
  );
}
