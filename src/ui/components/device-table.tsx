/**
 * One page of devices in the operator's columns; a sortable column's header
 * sorts by it (again: the other way). With `ticks`, a checkbox per row and
 * one for the page, at the start of the first column (a column of their own
 * would be the first cell a reader meets, with nothing to read); while every
 * device of the search is selected they are all ticked and fixed (the
 * selection is the search, not these rows).
 */
import type { ComponentChildren } from 'preact';
import { encodeId } from '../lib/api';
import type { Column, ListedDevice } from '../lib/columns';
import { ago, exact, isOnline } from '../lib/format';
import { Link } from './link';

/** `lead` goes first in the cell: the checkbox of the first column. */
function SortHeader(props: { column: Column; sort: string; onSort: (sort: string) => void; lead?: ComponentChildren }) {
  const { column, sort } = props;
  if (!column.sort) return <th scope="col">{props.lead}{column.label}</th>;
  const direction = sort === column.sort ? 'ascending' : sort === `-${column.sort}` ? 'descending' : 'none';
  const next = direction === 'ascending' ? `-${column.sort}` : column.sort;
  return (
    <th scope="col" aria-sort={direction}>
      {props.lead}
      <button type="button" class="sort" onClick={() => props.onSort(next)} title={`Sort by ${column.label}`}>
        {column.label} <span aria-hidden="true">{direction === 'ascending' ? '▲' : direction === 'descending' ? '▼' : '↕'}</span>
      </button>
    </th>
  );
}

function Cell(props: { column: Column; device: ListedDevice; lead?: ComponentChildren }) {
  const { column, device, lead } = props;
  if (column.key === 'id') return <td>{lead}<Link to={`/devices/${encodeId(device.deviceKey)}`}>{device.deviceKey}</Link></td>;
  if (column.key === 'lastInform') {
    const online = isOnline(device.lastInform);
    return (
      <td title={exact(device.lastInform)}>
        {lead}
        <span class={online ? 'dot on' : 'dot off'} aria-hidden="true" />
        <span class="sr-only">{online ? 'online, ' : 'offline, '}</span>
        {ago(device.lastInform)}
      </td>
    );
  }
  const value = column.value(device);
  return <td class={value === null ? 'none' : undefined}>{lead}{value ?? '—'}</td>;
}

/** The rows' checkboxes: which are ticked, and a change of some. */
export interface Ticks {
  isTicked(key: string): boolean;
  /** Every device of the search is selected. */
  all: boolean;
  onChange(keys: string[], ticked: boolean): void;
}

function PageTick(props: { ticks: Ticks; keys: string[] }) {
  const { ticks, keys } = props;
  const ticked = ticks.all || (keys.length > 0 && keys.every((k) => ticks.isTicked(k)));
  return (
    <input type="checkbox" class="tick" aria-label="Select every device on this page" checked={ticked} disabled={ticks.all || keys.length === 0}
      onChange={(e) => ticks.onChange(keys, e.currentTarget.checked)} />
  );
}

function RowTick(props: { ticks: Ticks; deviceKey: string }) {
  const { ticks, deviceKey } = props;
  return (
    <input type="checkbox" class="tick" aria-label={`Select ${deviceKey}`} checked={ticks.all || ticks.isTicked(deviceKey)} disabled={ticks.all}
      onChange={(e) => ticks.onChange([deviceKey], e.currentTarget.checked)} />
  );
}

export function DeviceTable(props: { columns: Column[]; devices: ListedDevice[] | null; sort: string; onSort: (sort: string) => void; ticks?: Ticks }) {
  const { ticks } = props;
  const keys = props.devices?.map((d) => d.deviceKey) ?? [];
  return (
    <div class="table-wrap">
      <table class="devices" aria-busy={props.devices === null}>
        <caption class="sr-only">Devices matching the search</caption>
        <thead>
          <tr>
            {props.columns.map((c, i) => (
              <SortHeader key={c.key} column={c} sort={props.sort} onSort={props.onSort} lead={ticks && i === 0 ? <PageTick ticks={ticks} keys={keys} /> : undefined} />
            ))}
          </tr>
        </thead>
        <tbody>
          {props.devices?.map((d) => (
            <tr key={d.deviceKey}>
              {props.columns.map((c, i) => <Cell key={c.key} column={c} device={d} lead={ticks && i === 0 ? <RowTick ticks={ticks} deviceKey={d.deviceKey} /> : undefined} />)}
            </tr>
          ))}
          {props.devices?.length === 0 && (
            <tr><td colSpan={props.columns.length} class="none">No device matches.</td></tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
