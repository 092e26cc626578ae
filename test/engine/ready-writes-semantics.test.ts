/**
 * What a read round may carry besides its reads (planner readyWrites, 903f8e4)
 * must not change what the device is sent: the RPCs are those of an engine
 * that runs the scripts again after each read and only then writes
 * (GenieACS semantics). Each case is played on the TR-181 model with the
 * whole model cached, the simulated device made to differ from the cache
 * where the case needs it, and pins every RPC of every round: method,
 * parameter names and values, and the CPE's fault code where it refused.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import { dryRunLoaded, type DryRunResult, type DryRunRpc } from '../../src/engine/dry-run';
import { loadDryRunDevice, type DryRunDevice } from '../../src/engine/dry-run-device';
import { ScriptLibrary } from '../../src/engine/script-library';
import type { Preset } from '../../src/presets/types';

const SSID = 'Device.WiFi.SSID';
const USERNAME = 'Device.ManagementServer.ConnectionRequestUsername';
const CODE = 'Device.DeviceInfo.ProvisioningCode';
const DESCRIPTION = 'Device.DeviceInfo.Description';

/** Declares a fresh read of the description: the run stops there until it is read. */
const READ_DESCRIPTION = `const d = declare("${DESCRIPTION}", {value: Date.now()});\n`;

/** The provisions the cases are made of, by name. */
const PROVISIONS: Record<string, string> = {
  'default-user': `declare("${USERNAME}", null, {value: "default-user"});\n`,
  'custom-user': `${READ_DESCRIPTION}if (d.value[0] !== "x") declare("${USERNAME}", null, {value: "custom-user"});\n`,
  'copy-user': `${READ_DESCRIPTION}const u = declare("${USERNAME}", {value: 1});\ndeclare("${CODE}", null, {value: "copy-of-" + u.value[0]});\n`,
  'description-length': `${READ_DESCRIPTION}declare("${CODE}", null, {value: "pc-" + d.value[0].length});\n`,
  'read-ssids': `declare("${SSID}.*.SSID", {value: Date.now()});\n`,
  'enable-home': `declare("${SSID}.[SSID:Home].Enable", null, {value: true});\n`,
  'home-mac': `const m = declare("${SSID}.[SSID:Home].MACAddress", {value: 1});\ndeclare("${USERNAME}", null, {value: "home-" + m.value[0]});\n`,
  'read-ssid-2': `declare("${SSID}.2.SSID", {value: Date.now()});\n`,
  'enable-ssid-2': `declare("${SSID}.2.Enable", null, {value: true});\n`,
};

/** The cache believes SSID.1 is "Home"; on the device SSID.1 is "Guest" and SSID.2 "Home". */
function homeMoved(device: DryRunDevice): void {
  const row = device.rows.find((r) => r.path === `${SSID}.1.SSID`);
  assert.ok(row, 'the cache holds SSID.1');
  row.value = 'Home';
  setOnDevice(device, `${SSID}.1.SSID`, 'Guest');
  setOnDevice(device, `${SSID}.2.SSID`, 'Home');
}

function setOnDevice(device: DryRunDevice, p: string, value: string): void {
  const ref = device.model.lookup(p);
  assert.ok(ref, p);
  device.model.setValue(ref, value);
}

/** The device no longer has SSID.2; the cache still does. */
function ssid2Gone(device: DryRunDevice): void {
  const ref = device.model.lookup(`${SSID}.2.`);
  assert.ok(ref && device.rows.some((r) => r.path === `${SSID}.2.Enable`));
  device.model.deleteInstance(ref);
}

/** One RPC as a line: the request's method and what it names or sets, and the fault code if the CPE refused it. */
function line(rpc: DryRunRpc): string {
  const fault = rpc.response.method === 'Fault' ? ` -> ${rpc.response.FaultCode}` : '';
  return `${rpc.request.method} ${argsOf(rpc.request)}${fault}`;
}

function argsOf(q: CpeRequest): string {
  switch (q.method) {
    case 'GetParameterValues':
      return q.ParameterNames.join(' ');
    case 'GetParameterNames':
      return q.ParameterPath;
    case 'SetParameterValues':
      return q.ParameterList.map((p) => `${p.Name}=${p.Value}`).join(' ');
    default:
      return JSON.stringify(q);
  }
}

const rounds = (r: DryRunResult): string[][] => r.rounds.map((round) => round.rpcs.map(line));

describe('a read round carries no write that running the scripts again would change (readyWrites semantics)', function () {
  this.timeout(60_000);
  let dir: string;
  let scripts: ScriptLibrary;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'acs-ready-writes-'));
    for (const [name, text] of Object.entries(PROVISIONS)) writeFileSync(path.join(dir, `${name}.js`), text);
    scripts = new ScriptLibrary(dir, { pollMs: 0 });
    await scripts.refresh(true);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Plays one session of a preset calling `provisions` in order; `mutate` makes the device differ from the cache. */
  async function play(provisions: string[], mutate?: (device: DryRunDevice) => void): Promise<{ result: DryRunResult; device: DryRunDevice }> {
    const device = loadDryRunDevice('tr181', { cached: true });
    mutate?.(device);
    const preset: Preset = {
      name: 'p', file: '', events: { all: [], none: [] }, precondition: null, preconditionSource: null, weight: 0, channel: 'p',
      provisions: provisions.map((name) => ({ name, args: [] })),
    };
    // The Inform a second after the cache was read: {value: Date.now()} asks for a read, whatever the clock's resolution.
    const result = await dryRunLoaded({ preset, scripts, device }, { extDir: path.join(dir, 'no-ext'), events: ['1 BOOT'], startTime: Date.now() + 1000 });
    assert.deepEqual(result.faults, [], JSON.stringify(rounds(result)));
    assert.equal(result.completed, true);
    return { result, device };
  }

  describe('a run stopped on a read: writes of the other scripts wait for it to run again', function () {
    it('a later script overrides the write after its read: only its value is sent, after the read', async () => {
      const { result } = await play(['default-user', 'custom-user']);
      assert.deepEqual(rounds(result), [
        [`GetParameterValues ${DESCRIPTION}`],
        [`SetParameterValues ${USERNAME}=custom-user`],
      ]);
    });

    it('a script copies the value another writes: both go together after the read, then the copy of the new value', async () => {
      const { result } = await play(['default-user', 'copy-user']);
      assert.deepEqual(rounds(result), [
        [`GetParameterValues ${DESCRIPTION}`],
        [`SetParameterValues ${CODE}=copy-of- ${USERNAME}=default-user`],
        [`SetParameterValues ${CODE}=copy-of-default-user`],
      ]);
    });

    it('a write that waits for nothing still goes with the writes of the run it waited for, in one SetParameterValues', async () => {
      const { result, device } = await play(['default-user', 'description-length']);
      const length = String(device.model.getValue(DESCRIPTION)).length;
      assert.deepEqual(rounds(result), [
        [`GetParameterValues ${DESCRIPTION}`],
        [`SetParameterValues ${CODE}=pc-${length} ${USERNAME}=default-user`],
      ]);
    });
  });

  describe('alias filters, on a stale cache (the device has moved "Home" from SSID.1 to SSID.2)', function () {
    it('a write through [SSID:Home] goes to the instance the reads found, and to no other', async () => {
      const { result, device } = await play(['read-ssids', 'enable-home'], homeMoved);
      assert.deepEqual(rounds(result), [
        [`GetParameterNames ${SSID}.`],
        [`GetParameterValues ${SSID}.1.SSID ${SSID}.2.SSID`],
        [`SetParameterValues ${SSID}.2.Enable=true`],
      ]);
      assert.equal(device.model.getValue(`${SSID}.1.Enable`), 'false', 'the Guest SSID is left alone');
      assert.equal(device.model.getValue(`${SSID}.2.Enable`), 'true');
    });

    it('a value looked up through [SSID:Home] is that of the instance the reads found', async () => {
      const { result, device } = await play(['read-ssids', 'home-mac'], homeMoved);
      const home = device.model.getValue(`${SSID}.2.MACAddress`);
      assert.notEqual(home, device.model.getValue(`${SSID}.1.MACAddress`));
      assert.deepEqual(rounds(result), [
        [`GetParameterNames ${SSID}.`],
        [`GetParameterValues ${SSID}.1.SSID ${SSID}.2.SSID`],
        [`SetParameterValues ${USERNAME}=home-${home}`],
      ]);
    });
  });

  it('a read that finds the instance gone (9005): no write under it was sent, the object is listed again, no fault', async () => {
    const { result } = await play(['read-ssid-2', 'enable-ssid-2'], ssid2Gone);
    assert.deepEqual(rounds(result), [
      [`GetParameterValues ${SSID}.2.SSID -> 9005`],
      [`GetParameterNames ${SSID}.2. -> 9005`],
      [`GetParameterNames ${SSID}.`],
    ]);
  });
});
