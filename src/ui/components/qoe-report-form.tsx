/**
 * The parameters of a fleet report (GET /qoe/reports/<kind>?…), as a form:
 * the range, the devices (a precondition), the profile, and each kind's own
 * (grouping, series, limit, window, thresholds). Empty fields are left out:
 * the API's defaults apply (they are named in the hints). `queryOf` makes
 * the query string the table and the CSV link both use.
 */
import type { ReportKind } from '../../qoe/reports/types';
import { Field, Msg, type Problem } from './qoe-field';

export const FORM = 'report';
const DAY_MS = 86_400_000;
export const RANGES = [
  { key: '1d', label: '24 h', ms: DAY_MS },
  { key: '7d', label: '7 days', ms: 7 * DAY_MS },
  { key: '30d', label: '30 days', ms: 30 * DAY_MS },
] as const;

export interface ReportForm {
  range: (typeof RANGES)[number]['key'];
  profile: string;
  filter: string;
  groupBy: string;
  received: string;
  sent: string;
  limit: string;
  series: string;
  stat: string;
  percentiles: string;
  window: string;
  ratio: string;
  minIncrease: string;
}

export const NEW_REPORT_FORM: ReportForm = {
  range: '1d', profile: '', filter: '', groupBy: 'productClass', received: '', sent: '', limit: '', series: '', stat: 'avg', percentiles: '', window: '1d', ratio: '', minIncrease: '',
};

/** What each kind takes besides profile and filter. */
const KIND_FIELDS: Record<ReportKind, (keyof ReportForm)[]> = {
  bandwidth: ['range', 'groupBy', 'received', 'sent'],
  'top-talkers': ['range', 'limit', 'received', 'sent'],
  percentiles: ['range', 'series', 'stat', 'percentiles', 'groupBy'],
  degrading: ['window', 'series', 'ratio', 'minIncrease', 'limit'],
  'wifi-channels': ['range'],
};

export const DEFAULT_PROFILE: Record<ReportKind, string> = { bandwidth: 'interfaces', 'top-talkers': 'interfaces', percentiles: 'interfaces', degrading: 'interfaces', 'wifi-channels': 'wifi' };

/** The query of the report the form asks for, at `now` (the range ends now). */
export function queryOf(kind: ReportKind, f: ReportForm, now: number): URLSearchParams {
  const q = new URLSearchParams();
  if (f.profile.trim() !== '') q.set('profile', f.profile.trim());
  if (f.filter.trim() !== '') q.set('filter', f.filter.trim());
  for (const k of KIND_FIELDS[kind]) {
    if (k === 'range') {
      const ms = RANGES.find((r) => r.key === f.range)?.ms ?? DAY_MS;
      q.set('from', String(now - ms));
      q.set('to', String(now));
    } else if (f[k].trim() !== '') q.set(k, f[k].trim());
  }
  return q;
}

/** The field a 400 names: "query parameter series must be …". */
export function problemOf(message: string): Problem {
  const m = /^query parameter (\w+)/.exec(message);
  const field = m && (m[1] in NEW_REPORT_FORM || m[1] === 'from' || m[1] === 'to') ? (m[1] === 'from' || m[1] === 'to' ? 'range' : m[1]) : 'form';
  return { field, message };
}

function Select(props: { field: keyof ReportForm; label: string; value: string; options: [string, string][]; onChange: (v: string) => void; problem: Problem | null; hint?: string }) {
  const id = `${FORM}-${props.field}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)} aria-invalid={props.problem?.field === props.field}
        aria-describedby={props.hint || props.problem?.field === props.field ? `${id}-msg` : undefined}>
        {props.options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
      <Msg form={FORM} field={props.field} problem={props.problem} hint={props.hint} />
    </div>
  );
}

const GROUPS: [string, string][] = [['none', 'the whole fleet'], ['productClass', 'product class'], ['softwareVersion', 'software version'], ['tag', 'tag']];
const SERIES_HINT: Record<string, string> = {
  percentiles: 'a path ("*" for instance numbers) or an alias, e.g. Device.WiFi.AccessPoint.*.AssociatedDevice.*.SignalStrength',
  degrading: 'empty: every error counter (Errors, ErroredSecs, CRC, FEC), summed; or paths and aliases, comma-separated',
};

/** One of the kind's own fields. */
function KindField(props: { kind: ReportKind; k: keyof ReportForm; f: ReportForm; set: (c: Partial<ReportForm>) => void; problem: Problem | null }) {
  const { k, f, set, problem } = props;
  const text = (label: string, hint?: string, short?: boolean) => (
    <Field form={FORM} field={k} label={label} value={f[k]} short={short} onInput={(v) => set({ [k]: v } as Partial<ReportForm>)} problem={problem} hint={hint} />
  );
  switch (k) {
    case 'range':
      return <Select field="range" label="Range" value={f.range} options={RANGES.map((r) => [r.key, `the last ${r.label}`])} onChange={(v) => set({ range: v as ReportForm['range'] })} problem={problem} />;
    case 'groupBy':
      return <Select field="groupBy" label="Group by" value={f.groupBy} options={GROUPS} onChange={(v) => set({ groupBy: v })} problem={problem} />;
    case 'stat':
      return <Select field="stat" label="Ranked by each device's" value={f.stat} options={[['avg', 'mean'], ['min', 'minimum'], ['max', 'maximum']]} onChange={(v) => set({ stat: v })} problem={problem} />;
    case 'window':
      return <Select field="window" label="Window" value={f.window} options={[['6h', '6 h'], ['1d', '1 day'], ['7d', '7 days']]} onChange={(v) => set({ window: v })} problem={problem}
        hint="the last window is compared with the one before it" />;
    case 'received':
      return text('Received (series)', 'byte counters, comma-separated, summed per device; empty: the WANBytesReceived alias (TR-098 WAN totals in the shipped profile); TR-181 names its WAN interface per device: e.g. Device.IP.Interface.1.Stats.BytesReceived');
    case 'sent':
      return text('Sent (series)', 'as Received; empty: the WANBytesSent alias');
    case 'limit':
      return text('Rows at most', props.kind === 'degrading' ? 'empty: 100' : 'empty: 10', true);
    case 'series':
      return text('Series', SERIES_HINT[props.kind]);
    case 'percentiles':
      return text('Percentiles', 'comma-separated; empty: 50, 90, 95, 99');
    case 'ratio':
      return text('Rise (times)', 'the last window\'s mean at least this many times the previous one\'s; empty: 2', true);
    case 'minIncrease':
      return text('Rise (at least)', 'per second, or "10/min", "3/h"; empty: 0', true);
    default:
      return null;
  }
}

export function ReportFormView(props: { kind: ReportKind; f: ReportForm; set: (c: Partial<ReportForm>) => void; problem: Problem | null; busy: boolean; onRun: () => void }) {
  const { kind, f, set, problem } = props;
  return (
    <form class="qoe-form" aria-label="Report parameters" onSubmit={(e) => (e.preventDefault(), props.onRun())} noValidate>
      {KIND_FIELDS[kind].map((k) => <KindField key={k} kind={kind} k={k} f={f} set={set} problem={problem} />)}
      <Field form={FORM} field="filter" label="Devices" value={f.filter} onInput={(v) => set({ filter: v })} problem={problem} hint="a precondition as in presets, e.g. Tags.fibre; empty for every device" />
      <Field form={FORM} field="profile" label="Collection profile" value={f.profile} short onInput={(v) => set({ profile: v })} problem={problem} hint={`empty: ${DEFAULT_PROFILE[kind]}`} />
      <Msg form={FORM} field="form" problem={problem} />
      <div class="form-buttons">
        <button type="submit" disabled={props.busy}>Run the report</button>
      </div>
    </form>
  );
}
