/** One page of devices in the operator's columns; a sortable column's header sorts by it (again: the other way). */
import { encodeId } from '../lib/api';
import type { Column, ListedDevice } from '../lib/columns';
import { ago, exact, isOnline } from '../lib/format';
import { Link } from './link';

function SortHeader(props: { column: Column; sort: string; onSort: (sort: string) => void }) {
  const { column, sort } = props;
  if (!column.sort) return <th scope="col">{column.label}</th>;
  const direction = sort === column.sort ? 'ascending' : sort === `-${column.sort}` ? 'descending' : 'none';
  const next = direction === 'ascending' ? `-${column.sort}` : column.sort;
  return (
    <th scope="col" aria-sort={direction}>
      <button type="button" class="sort" onClick={() => props.onSort(next)} title={`Sort by ${column.label}`}>
        {column.label} <span aria-hidden="true">{direction === 'ascending' ? '▲' : direction === 'descending' ? '▼' : '↕'}</span>
      </button>
    </th>
  );
}

function Cell(props: { column: Column; device: ListedDevice }) {
  const { column, device } = props;
  if (column.key === 'id') return <td><Link to={`/devices/${encodeId(device.deviceKey)}`}>{device.deviceKey}</Link></td>;
  if (column.key === 'lastInform') {
    const online = isOnline(device.lastInform);
    return (
      <td title={exact(device.lastInform)}>
        <span class={online ? 'dot on' : 'dot off'} aria-hidden="true" />
        <span class="sr-only">{online ? 'online, ' : 'offline, '}</span>
        {ago(device.lastInform)}
      </td>
    );
  }
  const value = column.value(device);
  return <td class={value === null ? 'none' : undefined}>{value ?? '—'}</td>;
}

export function DeviceTable(props: { columns: Column[]; devices: ListedDevice[] | null; sort: string; onSort: (sort: string) => void }) {
  return (
    <div class="table-wrap">
      <table class="devices" aria-busy={props.devices === null}>
        <caption class="sr-only">Devices matching the search</caption>
        <thead>
          <tr>{props.columns.map((c) => <SortHeader key={c.key} column={c} sort={props.sort} onSort={props.onSort} />)}</tr>
        </thead>
        <tbody>
          {props.devices?.map((d) => (
            <tr key={d.deviceKey}>{props.columns.map((c) => <Cell key={c.key} column={c} device={d} />)}</tr>
          ))}
          {props.devices?.length === 0 && (
            <tr><td colSpan={props.columns.length} class="none">No device matches.</td></tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
