/**
 * A collection profile written through PUT /qoe/profiles/:name: a new one,
 * a stored one edited, or a shipped one replaced by a stored one of its
 * name. Parameters are lines of "path kind [alias] [32|64]"; the API's 400
 * names a parameter by its index, shown as the line.
 */
import { useState } from 'preact/hooks';
import type { CollectionProfile, ProfileParameter, Retention } from '../../qoe/types';
import { api, encodeId } from '../lib/api';
import { messageOf } from '../lib/use-load';
import { Field, fieldOf, Msg, type Problem } from './qoe-field';

const FORM = 'profile';
const FIELDS = ['name', 'description', 'parameters', 'intervalS', 'retention'] as const;
const TIERS: (keyof Retention)[] = ['raw', '5m', '1h', '1d'];
const TIER_LABEL: Record<keyof Retention, string> = { raw: 'Raw samples', '5m': '5-minute buckets', '1h': 'Hourly buckets', '1d': 'Daily buckets' };
const DEFAULT_RETENTION: Retention = { raw: 2, '5m': 7, '1h': 30, '1d': 400 };

export type ListedProfile = CollectionProfile & { origin: 'builtin' | 'stored' };

interface ProfileForm {
  name: string;
  description: string;
  parameters: string;
  intervalS: string;
  retention: Record<keyof Retention, string>;
}

const lineOf = (p: ProfileParameter): string => [p.path, p.kind, p.alias, p.bits].filter((x) => x !== undefined).join(' ');

const formOf = (p: ListedProfile | null): ProfileForm => ({
  name: p?.name ?? '',
  description: p?.description ?? '',
  parameters: p ? p.parameters.map(lineOf).join('\n') : '',
  intervalS: String(p?.intervalS ?? 900),
  retention: Object.fromEntries(TIERS.map((t) => [t, String((p?.retention ?? DEFAULT_RETENTION)[t])])) as Record<keyof Retention, string>,
});

/** "path kind [alias] [32|64]": what the API checks (kind, path, alias) it checks; a number of 32 or 64 is the counter's width. */
function parameterOf(line: string): Record<string, unknown> {
  const [path, kind, ...rest] = line.trim().split(/\s+/);
  const out: Record<string, unknown> = { path, kind };
  for (const word of rest) {
    if (word === '32' || word === '64') out.bits = Number(word);
    else out.alias = word;
  }
  return out;
}

const numberOr = (text: string): number | string => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);

function bodyOf(f: ProfileForm): Record<string, unknown> {
  const lines = f.parameters.split('\n').filter((l) => l.trim() !== '');
  return {
    ...(f.description.trim() !== '' ? { description: f.description.trim() } : {}),
    parameters: lines.map(parameterOf),
    intervalS: numberOr(f.intervalS),
    retention: Object.fromEntries(TIERS.map((t) => [t, numberOr(f.retention[t])])),
  };
}

/** The API's "parameters[2].kind must be …" reads "line 3: kind must be …". */
function problemOf(err: unknown): Problem {
  const message = messageOf(err);
  const m = /^parameters\[(\d+)\]\.?(\S*)\s(.*)$/.exec(message);
  if (m) return { field: 'parameters', message: `line ${Number(m[1]) + 1}: ${m[2] ? `${m[2]} ` : ''}${m[3]}` };
  return { field: fieldOf(message, FIELDS), message };
}

function RetentionFields(props: { f: ProfileForm; set: (r: Record<keyof Retention, string>) => void; problem: Problem | null }) {
  const invalid = props.problem?.field === 'retention';
  return (
    <fieldset aria-describedby={`${FORM}-retention-msg`}>
      <legend>Kept for (days)</legend>
      <div class="days">
        {TIERS.map((t) => (
          <label key={t}>
            {TIER_LABEL[t]}
            <input value={props.f.retention[t]} inputMode="numeric" aria-invalid={invalid} onInput={(e) => props.set({ ...props.f.retention, [t]: e.currentTarget.value })} />
          </label>
        ))}
      </div>
      <Msg form={FORM} field="retention" problem={props.problem} hint="a tier is kept only when its bucket is longer than the interval" />
    </fieldset>
  );
}

export function ProfileFormView(props: { profile: ListedProfile | null; onSaved: (p: ListedProfile) => void; onClose: () => void }) {
  const [f, setF] = useState<ProfileForm>(() => formOf(props.profile));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (c: Partial<ProfileForm>) => setF((old) => ({ ...old, ...c }));
  const existing = props.profile;
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    const name = f.name.trim();
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) return setProblem({ field: 'name', message: 'name: 1 to 64 of A-Z a-z 0-9 _ . -' });
    setBusy(true);
    try {
      props.onSaved((await api<ListedProfile>('PUT', `/qoe/profiles/${encodeId(name)}`, bodyOf(f))).data);
    } catch (err) {
      setProblem(problemOf(err));
    } finally {
      setBusy(false);
    }
  };
  const title = !existing ? 'New collection profile' : existing.origin === 'builtin' ? `Replace the shipped profile ${existing.name}` : `Edit the profile ${existing.name}`;
  return (
    <form class="qoe-form" aria-labelledby="profile-form-title" onSubmit={submit} noValidate>
      <h3 id="profile-form-title">{title}</h3>
      {existing?.origin === 'builtin' && <p class="hint">Saving stores a profile of this name, used instead of the shipped one until it is deleted.</p>}
      <Field form={FORM} field="name" label="Name" value={f.name} readOnly={existing !== null} onInput={(v) => set({ name: v })} problem={problem} />
      <Field form={FORM} field="description" label="Description" value={f.description} onInput={(v) => set({ description: v })} problem={problem} />
      <Field form={FORM} field="parameters" label="Parameters" rows={8} value={f.parameters} onInput={(v) => set({ parameters: v })} problem={problem}
        hint={<>one a line: <code>path counter|gauge [alias] [32|64]</code>, "*" for instance numbers, e.g. <code>Device.IP.Interface.*.Stats.ErrorsReceived counter WANErrors</code></>} />
      <Field form={FORM} field="intervalS" label="Interval (s)" short inputMode="numeric" value={f.intervalS} onInput={(v) => set({ intervalS: v })} problem={problem}
        hint="between two collections of a device: 60 to 86400" />
      <RetentionFields f={f} set={(retention) => set({ retention })} problem={problem} />
      <Msg form={FORM} field="form" problem={problem} />
      <div class="form-buttons">
        <button type="submit" disabled={busy}>Save the profile</button>
        <button type="button" class="small" onClick={props.onClose}>Cancel</button>
      </div>
    </form>
  );
}
