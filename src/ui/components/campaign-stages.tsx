/**
 * The stages of a new campaign: each a share of the devices (a percent, a
 * count, or, for the last one only, the rest) and the minutes to wait after
 * it before the next starts.
 */
import type { StageInput, StageMode } from '../lib/campaign-form';

const MAX_STAGES = 20;

function StageRow(props: { s: StageInput; i: number; last: boolean; only: boolean; onChange: (s: StageInput) => void; onRemove: () => void }) {
  const { s, i } = props;
  const id = `stage-${i}`;
  const modes: StageMode[] = props.last ? ['percent', 'count', 'rest'] : ['percent', 'count'];
  return (
    <li class="stage-row">
      <span class="stage-no">Stage {i + 1}</span>
      <label for={`${id}-mode`} class="sr-only">Stage {i + 1} share</label>
      <select id={`${id}-mode`} value={s.mode} onChange={(e) => props.onChange({ ...s, mode: e.currentTarget.value as StageMode })}>
        {modes.map((m) => <option key={m} value={m}>{m === 'rest' ? 'the rest' : m === 'percent' ? 'percent of devices' : 'number of devices'}</option>)}
      </select>
      {s.mode !== 'rest' && (
        <>
          <label for={`${id}-value`} class="sr-only">Stage {i + 1} {s.mode}</label>
          <input id={`${id}-value`} class="short" inputMode="decimal" value={s.value} onInput={(e) => props.onChange({ ...s, value: e.currentTarget.value })} />
        </>
      )}
      <label for={`${id}-wait`}><span class="sr-only">Stage {i + 1}: </span>then wait (min)</label>
      <input id={`${id}-wait`} class="short" inputMode="numeric" value={s.wait} onInput={(e) => props.onChange({ ...s, wait: e.currentTarget.value })} />
      {!props.only && <button type="button" class="small" aria-label={`Remove stage ${i + 1}`} onClick={props.onRemove}>Remove</button>}
    </li>
  );
}

export function StagesEditor(props: { stages: StageInput[]; onChange: (stages: StageInput[]) => void; describedBy?: string }) {
  const { stages } = props;
  // Only the last stage may take "the rest": one that stops being last takes a percent instead.
  const fix = (list: StageInput[]) => list.map((s, i) => (s.mode === 'rest' && i < list.length - 1 ? { ...s, mode: 'percent' as const, value: s.value || '10' } : s));
  const set = (i: number, s: StageInput) => props.onChange(fix(stages.map((x, j) => (j === i ? s : x))));
  const add = () => props.onChange(fix([...stages.slice(0, -1), { mode: 'percent', value: '10', wait: '0' }, ...stages.slice(-1)]));
  return (
    <fieldset class="stages" aria-describedby={props.describedBy}>
      <legend>Stages</legend>
      <ol>
        {stages.map((s, i) => (
          <StageRow key={i} s={s} i={i} last={i === stages.length - 1} only={stages.length === 1} onChange={(x) => set(i, x)} onRemove={() => props.onChange(fix(stages.filter((_, j) => j !== i)))} />
        ))}
      </ol>
      <button type="button" class="small" disabled={stages.length >= MAX_STAGES} onClick={add}>Add a stage</button>
    </fieldset>
  );
}
