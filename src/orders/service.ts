/**
 * Orders: zero-touch provisioning from an order system. `POST /orders` names
 * the device (full id, or OUI and serial number, or serial number alone) and
 * the service (a provision with arguments, a preset, or a workflow with
 * arguments). A
 * known device gets it now (a workflow run whose task asks the device to
 * connect); an unknown one in its first session: its BOOTSTRAP Inform starts
 * the run, and the session carries out the run's first task (an order that
 * comes after that Inform finds the device stored, as a known one).
 * The order follows its run: applying → applied or failed, told to webhooks
 * as order.applied / order.failed.
 *
 * The order system's id is the key: the same id with the same body is the
 * same order (answered as it is now); with another body, 409. A pending order
 * may be replaced (PUT) or cancelled (DELETE); an applying one cancelled.
 */
import { createHash } from 'node:crypto';
import { deviceKeyOf } from '../model/device-key';
import { batched, DEVICE_READS } from '../db/coalesce';
import type { DeviceKey, SqlAccess } from '../db/types';
import type { Row } from '../db/sql';
import { AcsError, badRequest } from '../errors';
import type { Logger } from '../log';
import type { ProvisionCall } from '../presets/types';
import type { AcsEvent } from '../webhooks/types';
import type { WorkflowRunner } from '../workflows/types';
import { PROVISIONS_MAX } from '../tasks/action-tasks';

export type OrderStatus = 'pending' | 'applying' | 'applied' | 'failed' | 'cancelled';

/** The device an order is for: its id, or OUI and serial number, or the serial number alone. */
export interface OrderDevice {
  id?: string;
  oui?: string;
  serialNumber?: string;
}

/**
 * What an order gives the device. A preset's provisions run once, in its
 * order, with the arguments its definition gives (its precondition and
 * events are not consulted: the order says this device gets it).
 */
export type OrderService =
  | { provision: string; args: (string | number | boolean)[] }
  | { preset: string }
  | { workflow: string; args: Record<string, unknown> };

export interface Order {
  id: string;
  device: OrderDevice;
  service: OrderService;
  status: OrderStatus;
  reason: string | null;
  /** The device's id once known. */
  deviceKey: DeviceKey | null;
  runId: string | null;
  createdAt: number;
  updatedAt: number;
  appliedAt: number | null;
}

export interface OrderDeps {
  sql: SqlAccess;
  runner: WorkflowRunner;
  log: Logger;
  /** Whether a provision script of that name exists. */
  hasProvision: (name: string) => boolean;
  /** Whether a workflow of that name exists. */
  hasWorkflow: (name: string) => boolean;
  /** The provisions of the preset of that name (folder or database), null when there is none. */
  presetProvisions: (name: string) => ProvisionCall[] | null;
  emit: (events: AcsEvent[]) => Promise<void>;
}

const ID = /^[A-Za-z0-9._:@-]{1,128}$/;
/** How long a provision order's task may take (a device that never comes back fails the order). */
const PROVISION_TIMEOUT = '1d';
/** How often a BOOTSTRAP's Inform looks whether its orders' runs have made their first move. */
const RUN_POLL_MS = 20;

const bad = badRequest;

function text(v: unknown, field: string, max: number): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '' || v.length > max) return bad(`${field} must be 1 to ${max} characters`);
  return v;
}

function checkDevice(v: unknown): OrderDevice {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('device must be { id } or { oui, serialNumber } or { serialNumber }');
  const d = v as Record<string, unknown>;
  const device: OrderDevice = { id: text(d.id, 'device.id', 255), oui: text(d.oui, 'device.oui', 64), serialNumber: text(d.serialNumber, 'device.serialNumber', 64) };
  if (device.id === undefined && device.serialNumber === undefined) bad('device needs id or serialNumber');
  if (device.id !== undefined && (device.oui !== undefined || device.serialNumber !== undefined)) bad('device: give id, or oui and serialNumber, not both');
  return JSON.parse(JSON.stringify(device)) as OrderDevice;
}

function checkService(v: unknown, deps: Pick<OrderDeps, 'hasProvision' | 'hasWorkflow' | 'presetProvisions'>): OrderService {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('service must be { provision, args }, { preset } or { workflow, args }');
  const s = v as Record<string, unknown>;
  if (typeof s.provision === 'string') {
    if (!deps.hasProvision(s.provision)) bad(`service.provision: no provision named ${JSON.stringify(s.provision)}`);
    const args = s.args ?? [];
    if (!Array.isArray(args) || args.some((a) => !['string', 'number', 'boolean'].includes(typeof a))) bad('service.args of a provision must be an array of strings, numbers and booleans');
    return { provision: s.provision, args: args as (string | number | boolean)[] };
  }
  if (typeof s.workflow === 'string') {
    if (!deps.hasWorkflow(s.workflow)) bad(`service.workflow: no workflow named ${JSON.stringify(s.workflow)}`);
    const args = s.args ?? {};
    if (typeof args !== 'object' || args === null || Array.isArray(args)) bad('service.args of a workflow must be an object');
    return { workflow: s.workflow, args: args as Record<string, unknown> };
  }
  if (typeof s.preset === 'string') {
    const calls = deps.presetProvisions(s.preset);
    if (calls === null) return bad(`service.preset: no preset named ${JSON.stringify(s.preset)}`);
    // Run as one task (action-tasks.ts): refused now, not when the device comes.
    if (calls.length === 0 || calls.length > PROVISIONS_MAX) bad(`service.preset: preset ${s.preset} has ${calls.length} provisions; an order runs 1 to ${PROVISIONS_MAX}`);
    if (s.args !== undefined) bad('service.args: a preset runs its provisions with the arguments its definition gives; order a provision or a workflow to pass arguments');
    return { preset: s.preset };
  }
  return bad('service needs provision, preset or workflow (a name)');
}

/** A JSON text with keys sorted at every level: equal bodies hash equal whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function orderOf(r: Row): Order {
  const body = JSON.parse(String(r.body)) as { device: OrderDevice; service: OrderService };
  const time = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: String(r.id), device: body.device, service: body.service, status: String(r.status) as OrderStatus, reason: r.reason === null ? null : String(r.reason),
    deviceKey: r.device === null ? null : String(r.device), runId: r.run_id === null ? null : String(r.run_id),
    createdAt: Number(r.created_at), updatedAt: Number(r.updated_at), appliedAt: time(r.applied_at),
  };
}

export class Orders {
  constructor(private readonly deps: OrderDeps) {}

  async get(id: string): Promise<Order | null> {
    const row = await this.row(id);
    return row ? orderOf(row) : null;
  }

  private async row(id: string): Promise<Row | undefined> {
    const [row] = await this.deps.sql.autocommit((db) => db.select('SELECT * FROM orders WHERE id = ?', [id]));
    return row;
  }

  async list(status: OrderStatus | undefined, limit: number): Promise<Order[]> {
    const rows = await this.deps.sql.autocommit((db) =>
      status ? db.select(`SELECT * FROM orders WHERE status = ? ORDER BY created_at DESC LIMIT ${limit}`, [status]) : db.select(`SELECT * FROM orders ORDER BY created_at DESC LIMIT ${limit}`),
    );
    return rows.map(orderOf);
  }

  /** A new order, or the same one again: `created` says which. 409 for another body under a taken id. */
  async create(raw: unknown): Promise<{ order: Order; created: boolean }> {
    const b = (raw ?? {}) as Record<string, unknown>;
    const id = typeof b.id === 'string' && ID.test(b.id) ? b.id : bad('id must be 1 to 128 characters: letters, digits, . _ : @ -');
    const body = { device: checkDevice(b.device), service: checkService(b.service, this.deps) };
    const hash = createHash('sha256').update(canonical(body)).digest('hex');
    const existing = await this.row(id);
    if (existing) {
      if (String(existing.body_hash) !== hash) throw new AcsError('ACS_ERR_CONFLICT', `order ${id} exists with another body (PUT replaces a pending order)`);
      return { order: orderOf(existing), created: false };
    }
    const now = Date.now();
    const sql = `INSERT INTO orders (id, body_hash, body, serial, oui, device, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`;
    try {
      await this.deps.sql.autocommit((db) => db.run(sql, [id, hash, JSON.stringify(body), body.device.serialNumber ?? null, body.device.oui ?? null, body.device.id ?? null, now, now]));
    } catch (err) {
      // Two POSTs of one order raced: the first stored it.
      const again = await this.get(id);
      if (again) return this.create(raw);
      throw err;
    }
    await this.applyIfKnown(id);
    return { order: (await this.get(id)) as Order, created: true };
  }

  /** Replaces a pending order's device and service. */
  async replace(id: string, raw: unknown): Promise<Order> {
    const b = (raw ?? {}) as Record<string, unknown>;
    const body = { device: checkDevice(b.device), service: checkService(b.service, this.deps) };
    const hash = createHash('sha256').update(canonical(body)).digest('hex');
    const sql = `UPDATE orders SET body_hash = ?, body = ?, serial = ?, oui = ?, device = ?, updated_at = ? WHERE id = ? AND status = 'pending'`;
    const params = [hash, JSON.stringify(body), body.device.serialNumber ?? null, body.device.oui ?? null, body.device.id ?? null, Date.now(), id];
    const { affected } = await this.deps.sql.autocommit((db) => db.run(sql, params));
    if (affected === 0) await this.refuse(id, 'replaced');
    await this.applyIfKnown(id);
    return (await this.get(id)) as Order;
  }

  /** Cancels a pending order, or an applying one (its run too). */
  async cancel(id: string): Promise<Order> {
    const order = await this.get(id);
    if (!order) throw new AcsError('ACS_ERR_NOT_FOUND', `no order ${id}`);
    if (order.status !== 'pending' && order.status !== 'applying') await this.refuse(id, 'cancelled');
    await this.deps.sql.autocommit((db) => db.run("UPDATE orders SET status = 'cancelled', updated_at = ? WHERE id = ? AND status IN ('pending', 'applying')", [Date.now(), id]));
    if (order.runId) await this.deps.runner.cancel(order.runId, `order ${id} cancelled`);
    return (await this.get(id)) as Order;
  }

  private async refuse(id: string, what: string): Promise<never> {
    const order = await this.get(id);
    if (!order) throw new AcsError('ACS_ERR_NOT_FOUND', `no order ${id}`);
    throw new AcsError('ACS_ERR_CONFLICT', `order ${id} is ${order.status}; only a pending order can be ${what}${what === 'cancelled' ? ' (or an applying one)' : ''}`);
  }

  /** A pending order whose device is in the store is applied now. */
  private async applyIfKnown(id: string): Promise<void> {
    const order = await this.get(id);
    if (!order || order.status !== 'pending') return;
    const d = order.device;
    const where = d.id !== undefined ? 'device_key = ?' : d.oui !== undefined ? 'serial_number = ? AND oui = ?' : 'serial_number = ?';
    const params = d.id !== undefined ? [d.id] : d.oui !== undefined ? [d.serialNumber, d.oui] : [d.serialNumber];
    const rows = await this.deps.sql.autocommit((db) => db.select(`SELECT device_key FROM devices WHERE ${where} AND last_inform IS NOT NULL ORDER BY id LIMIT 2`, params));
    if (rows.length === 1) await this.apply(order, String(rows[0].device_key));
    else if (rows.length > 1) await this.finish(order, 'failed', `several devices have serial number ${d.serialNumber ?? ''}: name the device by id or OUI`);
  }

  /**
   * A device's first contact (BOOTSTRAP): the pending orders naming it are
   * applied (one indexed read per bootstrap). From its session's Inform
   * (`waitMs` > 0), this answers, with how many runs it started, once each
   * has made its first move (created its first task, most often) or after
   * waitMs: the session then carries those tasks out.
   */
  async onBootstrap(identity: { OUI: string; ProductClass: string; SerialNumber: string; Manufacturer: string }, waitMs: number): Promise<number> {
    const key = deviceKeyOf(identity);
    // Every BOOTSTRAP asks: with the other starting sessions' device reads, in one packet.
    const { rows } = await batched(this.deps.sql, DEVICE_READS, {
      sql: "SELECT * FROM orders WHERE status = 'pending' AND (serial = ? OR device = ?)",
      params: [identity.SerialNumber, key],
    });
    const runs: string[] = [];
    for (const order of rows.map(orderOf)) {
      const d = order.device;
      if (!(d.id !== undefined ? d.id === key : d.serialNumber === identity.SerialNumber && (d.oui === undefined || d.oui === identity.OUI))) continue;
      const run = await this.apply(order, key);
      if (run !== null) runs.push(run);
    }
    if (waitMs > 0) await this.firstMoves(runs, waitMs);
    return runs.length;
  }

  /** Until none of `runIds` is still 'running' (a run waiting on its task is 'waiting'), or `ms` passed. */
  private async firstMoves(runIds: string[], ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    let left = runIds;
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, RUN_POLL_MS));
      const runs = await Promise.all(left.map((id) => this.deps.runner.get(id)));
      left = left.filter((_, i) => runs[i]?.status === 'running');
    }
  }

  /** Starts the order's run; the order is applying (or failed, when the run cannot start). Answers the run's id, null when none started. */
  private async apply(order: Order, device: DeviceKey): Promise<string | null> {
    const claimed = await this.deps.sql.autocommit((db) =>
      db.run("UPDATE orders SET status = 'applying', device = ?, updated_at = ? WHERE id = ? AND status = 'pending'", [device, Date.now(), order.id]),
    );
    if (claimed.affected === 0) return null;
    try {
      const s = order.service;
      const workflow = 'workflow' in s ? s.workflow : this.provisioning(s);
      const run = await this.deps.runner.start({ device, workflow, args: 'workflow' in s ? s.args : {} });
      const noted = await this.deps.sql.autocommit((db) => db.run("UPDATE orders SET run_id = ?, updated_at = ? WHERE id = ? AND status = 'applying'", [run.id, Date.now(), order.id]));
      if (noted.affected === 0) {
        // Cancelled while its run started (cancel() saw no run to stop): the run goes too.
        await this.deps.runner.cancel(run.id, `order ${order.id} cancelled`);
        return null;
      }
      this.deps.log.info({ order: order.id, deviceId: device, run: run.id }, 'order applying');
      return run.id;
    } catch (err) {
      await this.finish({ ...order, deviceKey: device }, 'failed', (err as Error).message);
      return null;
    }
  }

  /**
   * An inline workflow of one task running the service's provisions (a
   * preset's together, in one session, as its channel would), asking the
   * device to connect. A task made while the device is in session (its
   * BOOTSTRAP's) has its request held until that session is over, and
   * dropped if the session did it (connreq).
   */
  private provisioning(s: Exclude<OrderService, { workflow: string }>): { name: string; definition: { steps: unknown[] } } {
    const calls = 'provision' in s ? [{ name: s.provision, args: s.args }] : this.deps.presetProvisions(s.preset);
    // The preset went away between the order and the device's first contact.
    if (calls === null) throw new AcsError('ACS_ERR_NOT_FOUND', `no preset named ${JSON.stringify((s as { preset: string }).preset)} any more`);
    // A provision alone keeps the task shape it always had.
    const task = 'provision' in s ? { name: 'provision', provision: s.provision, args: s.args } : { name: 'provision', provisions: calls.map((c) => ({ provision: c.name, args: c.args })) };
    const steps = [{ name: 'provision', task, connectionRequest: true, timeout: PROVISION_TIMEOUT }];
    return { name: `order-${'provision' in s ? s.provision : `preset-${s.preset}`}`, definition: { steps } };
  }

  /** The run of an order ended (a workflow.done / workflow.failed event): so does the order. */
  async onEvents(events: AcsEvent[]): Promise<void> {
    for (const e of events) {
      if (e.event !== 'workflow.done' && e.event !== 'workflow.failed') continue;
      const [row] = await this.deps.sql.autocommit((db) => db.select("SELECT * FROM orders WHERE run_id = ? AND status = 'applying'", [String(e.data.run)]));
      if (row) await this.finish(orderOf(row), e.event === 'workflow.done' ? 'applied' : 'failed', e.event === 'workflow.done' ? null : String(e.data.reason ?? 'failed'));
    }
  }

  private async finish(order: Order, status: 'applied' | 'failed', reason: string | null): Promise<void> {
    const now = Date.now();
    const sql = `UPDATE orders SET status = ?, reason = ?, updated_at = ?, applied_at = ? WHERE id = ? AND status IN ('pending', 'applying')`;
    const { affected } = await this.deps.sql.autocommit((db) => db.run(sql, [status, reason === null ? null : reason.slice(0, 1024), now, status === 'applied' ? now : null, order.id]));
    if (affected === 0) return;
    this.deps.log.info({ order: order.id, deviceId: order.deviceKey, status, reason }, `order ${status}`);
    const data = { order: order.id, service: order.service, run: order.runId, reason };
    await this.deps.emit([{ event: status === 'applied' ? 'order.applied' : 'order.failed', device: order.deviceKey, time: now, data }]);
  }
}
