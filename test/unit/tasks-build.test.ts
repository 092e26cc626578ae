/**
 * Task bodies → TaskSpec and CWMP requests (src/tasks/build.ts), the follow-ups
 * of multi-RPC tasks (src/tasks/follow-up.ts), and the XSD validity of every
 * request built (one validate.sh run, as test/unit/soap/xsd.test.ts does).
 */
import { strict as assert } from 'node:assert';
import { encode } from '../../src/cwmp/soap/encode';
import type { CpeRequest, CpeResponse, XsdType } from '../../src/cwmp/soap/types';
import { typeOf } from '../../src/model/datamodel-types';
import { firstRequest, TASK_BODY, taskProvisionCalls, taskSpec, type TaskLookup } from '../../src/tasks/build';
import { followUp } from '../../src/tasks/follow-up';
import { TASK_NAMES, type TaskRef, type TaskSpec } from '../../src/tasks/types';
import { validateMessages } from '../helpers/validate';

const NS12 = 'urn:dslforum-org:cwmp-1-2';
const PM = 'Device.NAT.PortMapping.';
const lookup: TaskLookup = {
  typeOf,
  fileUrl: (name) => (name === 'fw-2.0.bin' ? 'http://acs.example.net:7567/files/fw-2.0.bin' : undefined),
  hasProvision: (name) => name === 'wifi',
};

/** The ACS_ERR_BAD_REQUEST message for a body, or a failed assertion if it was accepted. */
function refusal(body: unknown, l: TaskLookup = lookup): string {
  try {
    taskSpec(body, l);
  } catch (err) {
    const e = err as { code?: string; status?: number; message: string };
    assert.equal(e.code, 'ACS_ERR_BAD_REQUEST', e.message);
    assert.equal(e.status, 400);
    return e.message;
  }
  return assert.fail(`accepted: ${JSON.stringify(body)}`);
}

function refused(body: unknown, pattern: RegExp, l?: TaskLookup): void {
  assert.match(refusal(body, l), pattern);
}

const KEY = /^task-[0-9a-f]{8}$/;

/** One GenieACS-style body per task type, with the exact request it must produce (random CommandKeys pinned). */
const ACCEPTED: { body: Record<string, unknown>; request?: CpeRequest }[] = [
  {
    body: { name: 'getParameterValues', parameterNames: ['Device.DeviceInfo.SoftwareVersion', 'Device.WiFi.'] },
    request: { method: 'GetParameterValues', ParameterNames: ['Device.DeviceInfo.SoftwareVersion', 'Device.WiFi.'] },
  },
  {
    body: { name: 'getParameterNames', parameterPath: 'Device.WiFi.', nextLevel: false },
    request: { method: 'GetParameterNames', ParameterPath: 'Device.WiFi.', NextLevel: false },
  },
  {
    body: {
      name: 'setParameterValues',
      parameterValues: [
        [`${PM}1.ExternalPort`, 8080],
        [`${PM}1.Enable`, true],
        ['Device.WiFi.SSID.1.SSID', 'GenieACS', 'xsd:string'],
        ['X_VENDOR_Thing', '007', 'xsd:unsignedInt'],
      ],
      parameterKey: 'batch-7',
    },
    request: {
      method: 'SetParameterValues',
      ParameterList: [
        { Name: `${PM}1.ExternalPort`, Value: '8080', type: 'xsd:unsignedInt' },
        { Name: `${PM}1.Enable`, Value: 'true', type: 'xsd:boolean' },
        { Name: 'Device.WiFi.SSID.1.SSID', Value: 'GenieACS', type: 'xsd:string' },
        { Name: 'X_VENDOR_Thing', Value: '7', type: 'xsd:unsignedInt' },
      ],
      ParameterKey: 'batch-7',
    },
  },
  {
    body: { name: 'getParameterAttributes', parameterNames: ['Device.DeviceInfo.SoftwareVersion'] },
    request: { method: 'GetParameterAttributes', ParameterNames: ['Device.DeviceInfo.SoftwareVersion'] },
  },
  {
    body: {
      name: 'setParameterAttributes',
      parameterAttributes: [
        { name: 'Device.DeviceInfo.SoftwareVersion', notification: 2 },
        { name: 'Device.WiFi.SSID.1.SSID', accessList: ['Subscriber'] },
      ],
    },
    request: {
      method: 'SetParameterAttributes',
      ParameterList: [
        { Name: 'Device.DeviceInfo.SoftwareVersion', NotificationChange: true, Notification: 2, AccessListChange: false, AccessList: [] },
        { Name: 'Device.WiFi.SSID.1.SSID', NotificationChange: false, Notification: 0, AccessListChange: true, AccessList: ['Subscriber'] },
      ],
    },
  },
  {
    body: { name: 'refreshObject', objectName: 'Device.WiFi' },
    request: { method: 'GetParameterNames', ParameterPath: 'Device.WiFi.', NextLevel: false },
  },
  {
    body: { name: 'addObject', objectName: 'Device.NAT.PortMapping', parameterValues: [['ExternalPort', '443']] },
    request: { method: 'AddObject', ObjectName: PM, ParameterKey: '' },
  },
  {
    body: { name: 'deleteObject', objectName: `${PM}3` },
    request: { method: 'DeleteObject', ObjectName: `${PM}3.`, ParameterKey: '' },
  },
  { body: { name: 'reboot', commandKey: 'maint-42' }, request: { method: 'Reboot', CommandKey: 'maint-42' } },
  { body: { name: 'factoryReset' }, request: { method: 'FactoryReset' } },
  {
    body: { name: 'download', fileType: '1 Firmware Upgrade Image', fileName: 'fw-2.0.bin', fileSize: 1048576, commandKey: 'fw' },
    request: {
      method: 'Download',
      CommandKey: 'fw',
      FileType: '1 Firmware Upgrade Image',
      URL: 'http://acs.example.net:7567/files/fw-2.0.bin',
      Username: '',
      Password: '',
      FileSize: 1048576,
      TargetFileName: '',
      DelaySeconds: 0,
      SuccessURL: '',
      FailureURL: '',
    },
  },
  {
    body: { name: 'upload', fileType: '2 Vendor Log File', url: 'https://logs.example.net/up', username: 'u', password: 'p', commandKey: 'log' },
    request: { method: 'Upload', CommandKey: 'log', FileType: '2 Vendor Log File', URL: 'https://logs.example.net/up', Username: 'u', Password: 'p', DelaySeconds: 0 },
  },
  { body: { name: 'scheduleInform', delaySeconds: 60, commandKey: 'later' }, request: { method: 'ScheduleInform', DelaySeconds: 60, CommandKey: 'later' } },
  {
    body: {
      name: 'scheduleDownload',
      fileType: 1,
      url: 'http://files.example.net/fw.bin',
      commandKey: 'night',
      timeWindows: [
        { windowStart: 0, windowEnd: 3600, windowMode: '1 At Any Time' },
        { windowStart: 7200, windowEnd: 10800, windowMode: 4, userMessage: 'Upgrade now?', maxRetries: 3 },
      ],
    },
    request: {
      method: 'ScheduleDownload',
      CommandKey: 'night',
      FileType: '1 Firmware Upgrade Image',
      URL: 'http://files.example.net/fw.bin',
      Username: '',
      Password: '',
      FileSize: 0,
      TargetFileName: '',
      TimeWindowList: [
        { WindowStart: 0, WindowEnd: 3600, WindowMode: '1 At Any Time', UserMessage: '', MaxRetries: -1 },
        { WindowStart: 7200, WindowEnd: 10800, WindowMode: '4 Confirmation Needed', UserMessage: 'Upgrade now?', MaxRetries: 3 },
      ],
    },
  },
  { body: { name: 'cancelTransfer', commandKey: 'night' }, request: { method: 'CancelTransfer', CommandKey: 'night' } },
  {
    body: {
      name: 'changeDUState',
      commandKey: 'du',
      operations: [
        { install: { url: 'http://apps.example.net/app.ipk', uuid: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', executionEnvRef: 'Device.SoftwareModules.ExecEnv.1' } },
        { update: { uuid: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', version: '2.0' } },
        { uninstall: { uuid: '6ba7b811-9dad-11d1-80b4-00c04fd430c8' } },
      ],
    },
    request: {
      method: 'ChangeDUState',
      CommandKey: 'du',
      Operations: [
        { op: 'Install', URL: 'http://apps.example.net/app.ipk', UUID: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', ExecutionEnvRef: 'Device.SoftwareModules.ExecEnv.1' },
        { op: 'Update', UUID: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', Version: '2.0' },
        { op: 'Uninstall', UUID: '6ba7b811-9dad-11d1-80b4-00c04fd430c8' },
      ],
    },
  },
  { body: { name: 'getQueuedTransfers' }, request: { method: 'GetQueuedTransfers' } },
  { body: { name: 'getAllQueuedTransfers' }, request: { method: 'GetAllQueuedTransfers' } },
  { body: { name: 'getRPCMethods' }, request: { method: 'GetRPCMethods' } },
  { body: { name: 'provision', provision: 'wifi', args: ['HomeNet', 5, true] } },
];

function ref(spec: TaskSpec, id = 1): TaskRef {
  return { id, name: spec.name, args: spec.args, expiry: null };
}

describe('tasks: task bodies → CWMP requests', () => {
  describe('every task type', () => {
    it('has a GenieACS-style body in these tests (all of TASK_NAMES)', () => {
      assert.deepEqual([...new Set(ACCEPTED.map((a) => a.body.name))].sort(), [...TASK_NAMES].sort());
    });

    for (const { body, request } of ACCEPTED) {
      it(`${String(body.name)}: builds the exact request, and the same one again from the stored args`, () => {
        const spec = taskSpec(body, lookup);
        assert.equal(spec.name, body.name);
        assert.deepEqual(spec.request, request);
        assert.deepEqual(firstRequest(ref(spec)), request);
        // Stored args are plain JSON: a task read back from the database rebuilds the same request.
        assert.deepEqual(firstRequest(ref({ ...spec, args: JSON.parse(JSON.stringify(spec.args)) })), request);
      });
    }

    it('provision: no request, the provision and its args', () => {
      const spec = taskSpec({ name: 'provision', provision: 'wifi', args: ['HomeNet', 5, true] }, lookup);
      assert.equal(spec.request, undefined);
      assert.deepEqual(spec.provisions, [{ name: 'wifi', args: ['HomeNet', 5, true] }]);
      assert.deepEqual(spec.args, { provision: 'wifi', args: ['HomeNet', 5, true] });
      assert.deepEqual(taskSpec({ name: 'provision', provision: 'wifi' }).provisions, [{ name: 'wifi', args: [] }]);
      assert.equal(firstRequest(ref(spec)), undefined);
      assert.deepEqual(taskProvisionCalls(ref(spec)), [{ name: 'wifi', args: ['HomeNet', 5, true] }]);
    });

    it('provision with provisions: several, in their order, each checked; read back from stored args the same', () => {
      const body = { name: 'provision', provisions: [{ provision: 'wifi', args: ['HomeNet'] }, { provision: 'voip' }] };
      const spec = taskSpec(body, { hasProvision: (n) => n === 'wifi' || n === 'voip' });
      assert.equal(spec.request, undefined);
      assert.deepEqual(spec.args, { provisions: [{ provision: 'wifi', args: ['HomeNet'] }, { provision: 'voip', args: [] }] });
      assert.deepEqual(spec.provisions, [{ name: 'wifi', args: ['HomeNet'] }, { name: 'voip', args: [] }]);
      assert.deepEqual(taskProvisionCalls(ref({ ...spec, args: JSON.parse(JSON.stringify(spec.args)) })), spec.provisions);
      assert.equal(taskProvisionCalls(ref(taskSpec({ name: 'reboot' }))), undefined, 'an RPC task runs no provision');
      assert.equal(TASK_BODY.safeParse(body).success, true, 'the REST API\'s schema takes it');
      assert.equal(TASK_BODY.safeParse({ name: 'provision', provisions: [{ provision: 'wifi', typo: 1 }] }).success, false);
    });

    it('a normalized task posted again (args plus name) gives the same spec: retry and re-post are stable', () => {
      for (const { body } of ACCEPTED) {
        const spec = taskSpec(body, lookup);
        assert.deepEqual(taskSpec({ name: spec.name, ...spec.args }, lookup), spec, String(body.name));
      }
    });

    it("accepts GenieACS's read-back fields (_id, device, timestamp, expiry) and keeps them out of args", () => {
      const spec = taskSpec({ name: 'reboot', _id: '5403908e', device: '202BC1-BM632w-0000000', timestamp: '2026-12-04T00:00:00Z', expiry: 60, commandKey: 'x' });
      assert.deepEqual(spec.args, { commandKey: 'x' });
    });
  });

  describe('random CommandKeys', () => {
    for (const name of ['reboot', 'scheduleInform', 'download', 'upload', 'scheduleDownload', 'changeDUState']) {
      it(`${name}: "task-" + 8 hex digits when none is given, kept in args`, () => {
        const body = { ...ACCEPTED.find((a) => a.body.name === name)!.body };
        delete body.commandKey;
        const spec = taskSpec(body, lookup);
        const key = (spec.request as { CommandKey: string }).CommandKey;
        assert.match(key, KEY);
        assert.equal(spec.args.commandKey, key);
        assert.notEqual((taskSpec(body, lookup).request as { CommandKey: string }).CommandKey, key, 'a new key per task');
      });
    }
  });

  describe('normalization', () => {
    it('setParameterValues: numbers and booleans become canonical strings of their type', () => {
      const spec = taskSpec({
        name: 'setParameterValues',
        parameterValues: [
          ['X.A', 1, 'xsd:boolean'],
          ['X.B', '0', 'boolean'],
          ['X.C', '+0042', 'xsd:int'],
          ['X.D', -5, 'xsd:long'],
          ['X.E', '18446744073709551615', 'xsd:unsignedLong'],
          ['X.F', false],
          ['X.G', 2.5],
          ['X.H', 'AAEC', 'base64'],
          ['X.I', '00ff', 'xsd:hexBinary'],
          ['X.J', '2026-02-28T23:59:59.5+01:00', 'xsd:dateTime'],
        ],
      });
      assert.deepEqual(spec.args.parameterValues, [
        ['X.A', 'true', 'xsd:boolean'],
        ['X.B', 'false', 'xsd:boolean'],
        ['X.C', '42', 'xsd:int'],
        ['X.D', '-5', 'xsd:long'],
        ['X.E', '18446744073709551615', 'xsd:unsignedLong'],
        ['X.F', 'false', 'xsd:string'],
        ['X.G', '2.5', 'xsd:string'],
        ['X.H', 'AAEC', 'xsd:base64'],
        ['X.I', '00ff', 'xsd:hexBinary'],
        ['X.J', '2026-02-28T23:59:59.5+01:00', 'xsd:dateTime'],
      ]);
    });

    it("setParameterValues: the type comes from lookup.typeOf when not given (the device's cache before the BBF table)", () => {
      const cached: TaskLookup = { typeOf: (p) => (p === 'X_V.Port' ? 'xsd:unsignedInt' : typeOf(p)) };
      const spec = taskSpec({ name: 'setParameterValues', parameterValues: [['X_V.Port', '22'], ['Device.ManagementServer.PeriodicInformInterval', '300']] }, cached);
      assert.deepEqual(spec.args.parameterValues, [
        ['X_V.Port', '22', 'xsd:unsignedInt'],
        ['Device.ManagementServer.PeriodicInformInterval', '300', 'xsd:unsignedInt'],
      ]);
      assert.deepEqual(taskSpec({ name: 'setParameterValues', parameterValues: [['X_V.Port', '22']] }).args.parameterValues, [['X_V.Port', '22', 'xsd:string']]);
    });

    it('addObject: value types come from the generic path of the new instance', () => {
      const spec = taskSpec({ name: 'addObject', objectName: PM, parameterValues: [['ExternalPort', 443], ['Enable', 1], ['Description', 'web']], parameterKey: 'k1' }, lookup);
      assert.deepEqual(spec.args, {
        objectName: PM,
        parameterKey: 'k1',
        parameterValues: [['ExternalPort', '443', 'xsd:unsignedInt'], ['Enable', 'true', 'xsd:boolean'], ['Description', 'web', 'xsd:string']],
      });
    });

    it('getParameterNames: objectName is an alias; nextLevel defaults to true for a partial path, false for a parameter', () => {
      assert.deepEqual(taskSpec({ name: 'getParameterNames', objectName: 'Device.' }).request, { method: 'GetParameterNames', ParameterPath: 'Device.', NextLevel: true });
      assert.deepEqual(taskSpec({ name: 'getParameterNames', parameterPath: '' }).request, { method: 'GetParameterNames', ParameterPath: '', NextLevel: true });
      assert.deepEqual(taskSpec({ name: 'getParameterNames', parameterPath: 'Device.DeviceInfo.UpTime' }).request, {
        method: 'GetParameterNames', ParameterPath: 'Device.DeviceInfo.UpTime', NextLevel: false,
      });
    });

    it('refreshObject: "" is the whole model; a parameter the model knows keeps its name; other names become objects', () => {
      assert.deepEqual(taskSpec({ name: 'refreshObject', objectName: '' }).request, { method: 'GetParameterNames', ParameterPath: '', NextLevel: false });
      assert.deepEqual(taskSpec({ name: 'refreshObject', objectName: 'Device.DeviceInfo.UpTime' }, lookup).request, {
        method: 'GetParameterNames', ParameterPath: 'Device.DeviceInfo.UpTime', NextLevel: false,
      });
      assert.equal(taskSpec({ name: 'refreshObject', objectName: 'InternetGatewayDevice.WANDevice.1.WANConnectionDevice' }, lookup).args.objectName,
        'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.');
    });

    it('download: "file" (GenieACS\'s older field) names a file of the store; short file types are expanded', () => {
      const spec = taskSpec({ name: 'download', file: 'fw-2.0.bin', fileType: '1', commandKey: 'a' }, lookup);
      assert.equal((spec.request as { URL: string }).URL, 'http://acs.example.net:7567/files/fw-2.0.bin');
      assert.equal((spec.request as { FileType: string }).FileType, '1 Firmware Upgrade Image');
      assert.equal(spec.args.fileName, 'fw-2.0.bin');
    });

    it('upload with fileName: the file store\'s upload URL for it, which replaces a url given beside it (a task read back)', () => {
      const uploads = { uploadUrl: (name: string) => `http://acs.example.net:7567/uploads/token-for-${name}` };
      const spec = taskSpec({ name: 'upload', fileType: '1', fileName: 'backup.cfg', commandKey: 'b' }, uploads);
      assert.equal((spec.request as { URL: string }).URL, 'http://acs.example.net:7567/uploads/token-for-backup.cfg');
      assert.equal(spec.args.fileName, 'backup.cfg');
      const again = taskSpec({ name: 'upload', fileType: '1', fileName: 'backup.cfg', url: 'http://acs.example.net:7567/uploads/spent' }, uploads);
      assert.equal(again.args.url, 'http://acs.example.net:7567/uploads/token-for-backup.cfg');
      assert.throws(() => taskSpec({ name: 'upload', fileType: '1', fileName: 'backup.cfg' }), /fileName: this ACS has no file store to keep "backup.cfg" in; give url instead/);
      assert.throws(() => taskSpec({ name: 'upload', fileType: '1', fileName: '' }, uploads), /fileName must not be empty/);
      assert.throws(() => taskSpec({ name: 'upload', fileType: '1' }, uploads), /url/);
    });

    it('file types: vendor types and upload instances pass as written', () => {
      assert.equal(taskSpec({ name: 'download', fileType: 'X 00D09E Config Bundle', url: 'http://f/x' }).args.fileType, 'X 00D09E Config Bundle');
      assert.equal(taskSpec({ name: 'upload', fileType: '3 Vendor Configuration File 2', url: 'http://f/x' }).args.fileType, '3 Vendor Configuration File 2');
      assert.equal(taskSpec({ name: 'upload', fileType: 1, url: 'http://f/x' }).args.fileType, '1 Vendor Configuration File');
    });
  });

  describe('refusals name the field', () => {
    const cases: [string, unknown, RegExp][] = [
      ['not an object', [1], /the task must be a JSON object/],
      ['unknown type', { name: 'rebootNow' }, /name must be one of getParameterNames, .*found "rebootNow"/],
      ['missing name', {}, /name must be one of/],
      ['unknown field (a typo)', { name: 'reboot', comandKey: 'x' }, /reboot: unknown field "comandKey"/],
      ['missing parameterNames', { name: 'getParameterValues' }, /parameterNames must be an array, found undefined/],
      ['empty parameterNames', { name: 'getParameterValues', parameterNames: [] }, /parameterNames must have at least 1 entry/],
      ['non-string name', { name: 'getParameterValues', parameterNames: ['Device.A', 7] }, /parameterNames\[1\] must be a string, found 7/],
      ['empty segment', { name: 'getParameterValues', parameterNames: ['Device..A'] }, /parameterNames\[0\] has an empty segment/],
      ['control character', { name: 'getParameterAttributes', parameterNames: ['Device.A\n'] }, /parameterNames\[0\] contains a control character/],
      ['path over 256', { name: 'getParameterValues', parameterNames: [`Device.${'a'.repeat(250)}`] }, /parameterNames\[0\] is longer than 256 characters/],
      ['parameterValues not a list', { name: 'setParameterValues', parameterValues: { a: 1 } }, /parameterValues must be an array/],
      ['triple too short', { name: 'setParameterValues', parameterValues: [['Device.A']] }, /parameterValues\[0\] must be \[name, value, type\?\]/],
      ['object as parameter', { name: 'setParameterValues', parameterValues: [['Device.A.', 'x']] }, /parameterValues\[0\]: "Device.A." names an object/],
      ['value an object', { name: 'setParameterValues', parameterValues: [['Device.A', { v: 1 }]] }, /parameterValues\[0\]: the value for Device.A must be a string, number or boolean/],
      ['unknown type', { name: 'setParameterValues', parameterValues: [['Device.A', '1', 'xsd:float']] }, /parameterValues\[0\]: unknown type "xsd:float" for Device.A/],
      ['not an unsignedInt', { name: 'setParameterValues', parameterValues: [['Device.X.Port', '1', 'xsd:string'], ['Device.X.Port2', 'abc', 'xsd:unsignedInt']] },
        /^parameterValues\[1\]: "abc" is not a valid xsd:unsignedInt for Device.X.Port2$/],
      ['BBF type', { name: 'setParameterValues', parameterValues: [[`${PM}2.ExternalPort`, '-1']] }, /parameterValues\[0\]: "-1" is not a valid xsd:unsignedInt \(out of range 0..4294967295\) for Device.NAT.PortMapping.2.ExternalPort/],
      ['int range', { name: 'setParameterValues', parameterValues: [['X.A', '2147483648', 'xsd:int']] }, /parameterValues\[0\]: .*out of range -2147483648..2147483647/],
      ['long range', { name: 'setParameterValues', parameterValues: [['X.A', '9223372036854775808', 'xsd:long']] }, /parameterValues\[0\]: .*xsd:long \(out of range/],
      ['unsignedLong range', { name: 'setParameterValues', parameterValues: [['X.A', '18446744073709551616', 'xsd:unsignedLong']] }, /xsd:unsignedLong \(out of range/],
      ['unsafe JSON integer', { name: 'setParameterValues', parameterValues: [['X.A', 2 ** 60, 'xsd:unsignedLong']] }, /parameterValues\[0\]: 1152921504606847000 is not an exact integer; pass it as a string for X.A/],
      ['fraction for int', { name: 'setParameterValues', parameterValues: [['X.A', 1.5, 'xsd:int']] }, /parameterValues\[0\]: "1.5" is not a valid xsd:int for X.A/],
      ['boolean', { name: 'setParameterValues', parameterValues: [['X.A', 'yes', 'xsd:boolean']] }, /parameterValues\[0\]: "yes" is not a valid xsd:boolean \(true, false, 1 or 0\) for X.A/],
      ['boolean for int', { name: 'setParameterValues', parameterValues: [['X.A', true, 'xsd:int']] }, /parameterValues\[0\]: true is not a valid xsd:int/],
      ['BBF boolean', { name: 'setParameterValues', parameterValues: [[`${PM}1.Enable`, 'TRUE']] }, /"TRUE" is not a valid xsd:boolean/],
      ['dateTime', { name: 'setParameterValues', parameterValues: [['X.A', '2026-13-01T00:00:00Z', 'xsd:dateTime']] }, /parameterValues\[0\]: "2026-13-01T00:00:00Z" is not a valid xsd:dateTime/],
      ['dateTime 30 Feb', { name: 'setParameterValues', parameterValues: [['X.A', '2026-02-29T00:00:00Z', 'xsd:dateTime']] }, /is not a valid xsd:dateTime/],
      ['dateTime year 0', { name: 'setParameterValues', parameterValues: [['X.A', '0000-01-01T00:00:00Z', 'xsd:dateTime']] }, /is not a valid xsd:dateTime/],
      ['dateTime shape', { name: 'setParameterValues', parameterValues: [['X.A', 'yesterday', 'xsd:dateTime']] }, /"yesterday" is not a valid xsd:dateTime \(e.g./],
      ['base64', { name: 'setParameterValues', parameterValues: [['X.A', 'AB=C', 'xsd:base64']] }, /"AB=C" is not a valid xsd:base64/],
      ['base64 padding bits', { name: 'setParameterValues', parameterValues: [['X.A', 'AB==', 'xsd:base64']] }, /"AB==" is not a valid xsd:base64/],
      ['hexBinary', { name: 'setParameterValues', parameterValues: [['X.A', 'abc', 'xsd:hexBinary']] }, /"abc" is not a valid xsd:hexBinary/],
      ['type contradicting BBF', { name: 'setParameterValues', parameterValues: [[`${PM}1.ExternalPort`, '80', 'xsd:string']] },
        /parameterValues\[0\]: type xsd:string contradicts the data model's xsd:unsignedInt for Device.NAT.PortMapping.1.ExternalPort/],
      ['parameterKey of 33', { name: 'setParameterValues', parameterValues: [['X.A', 'v']], parameterKey: 'k'.repeat(33) }, /parameterKey is longer than 32 characters/],
      ['attributes entry', { name: 'setParameterAttributes', parameterAttributes: [{ name: 'Device.A' }] }, /parameterAttributes\[0\]: give notification and\/or accessList/],
      ['notification 7', { name: 'setParameterAttributes', parameterAttributes: [{ name: 'Device.A', notification: 7 }] }, /parameterAttributes\[0\].notification must be 0 \(off\)/],
      ['accessList entity', { name: 'setParameterAttributes', parameterAttributes: [{ name: 'Device.A', accessList: ['Admin'] }] }, /parameterAttributes\[0\].accessList\[0\] must be "Subscriber"/],
      ['attribute typo', { name: 'setParameterAttributes', parameterAttributes: [{ name: 'Device.A', notify: 2 }] }, /parameterAttributes\[0\]: unknown field "notify"/],
      ['nextLevel on a parameter', { name: 'getParameterNames', parameterPath: 'Device.A', nextLevel: true }, /nextLevel must be false for a parameter name/],
      ['nextLevel type', { name: 'getParameterNames', parameterPath: 'Device.', nextLevel: 'yes' }, /nextLevel must be true or false/],
      ['parameterPath missing', { name: 'getParameterNames' }, /parameterPath is required/],
      ['refreshObject missing', { name: 'refreshObject' }, /objectName is required/],
      ['addObject on an instance', { name: 'addObject', objectName: `${PM}1.` }, /objectName must name a multi-instance object, not an instance/],
      ['addObject value', { name: 'addObject', objectName: PM, parameterValues: [['ExternalPort', 'http']] }, /parameterValues\[0\]: "http" is not a valid xsd:unsignedInt for Device.NAT.PortMapping.\{i\}.ExternalPort/],
      ['deleteObject not an instance', { name: 'deleteObject', objectName: PM }, /objectName must name an instance/],
      ['deleteObject empty', { name: 'deleteObject', objectName: '' }, /objectName must not be empty/],
      ['CommandKey of 33', { name: 'reboot', commandKey: 'c'.repeat(33) }, /^commandKey is longer than 32 characters \(33\)$/],
      ['CommandKey a number', { name: 'reboot', commandKey: 5 }, /commandKey must be a string, found 5/],
      ['download without url', { name: 'download', fileType: 1 }, /url must be a string, found undefined/],
      ['download url scheme', { name: 'download', fileType: 1, url: 'file:///etc/passwd' }, /url must be an http, https or ftp URL/],
      ['download url relative', { name: 'download', fileType: 1, url: '/fw.bin' }, /url is not an absolute URL/],
      ['download url over 256', { name: 'download', fileType: 1, url: `http://f/${'a'.repeat(250)}` }, /url is longer than 256 characters/],
      ['download fileType', { name: 'download', fileType: 'Firmware', url: 'http://f/x' }, /fileType must be one of "1 Firmware Upgrade Image", .*found "Firmware"/],
      ['download fileType name', { name: 'download', fileType: '1 Firmware Image', url: 'http://f/x' }, /fileType: "1 Firmware Image" must be "1 Firmware Upgrade Image"/],
      ['download fileSize', { name: 'download', fileType: 1, url: 'http://f/x', fileSize: -1 }, /fileSize must be an integer from 0 to 4294967295, found -1/],
      ['download delaySeconds', { name: 'download', fileType: 1, url: 'http://f/x', delaySeconds: 1.5 }, /delaySeconds must be an integer/],
      ['download successUrl', { name: 'download', fileType: 1, url: 'http://f/x', successUrl: 'nope' }, /successUrl is not an absolute URL/],
      ['download targetFileName', { name: 'download', fileType: 1, url: 'http://f/x', targetFileName: 't'.repeat(257) }, /targetFileName is longer than 256/],
      ['download unknown file', { name: 'download', fileType: 1, fileName: 'nope.bin' }, /fileName: no file named "nope.bin" in the file store/],
      ['download url and fileName disagree', { name: 'download', fileType: 1, fileName: 'fw-2.0.bin', url: 'http://other/x' }, /url "http:\/\/other\/x" does not match the file store's URL/],
      ['upload fileType', { name: 'upload', fileType: '1 Firmware Upgrade Image', url: 'http://f/x' }, /fileType: "1 Firmware Upgrade Image" must be "1 Vendor Configuration File"/],
      ['upload instance', { name: 'upload', fileType: '4 Vendor Log File', url: 'http://f/x' }, /fileType: "4 Vendor Log File" must be "4 Vendor Log File <instance>"/],
      ['upload short instance type', { name: 'upload', fileType: 3, url: 'http://f/x' }, /fileType: "3" must be|fileType must be one of/],
      ['scheduleInform 0', { name: 'scheduleInform', delaySeconds: 0 }, /delaySeconds must be an integer from 1 to 4294967295, found 0/],
      ['scheduleInform missing', { name: 'scheduleInform' }, /delaySeconds is required/],
      ['scheduleDownload no windows', { name: 'scheduleDownload', fileType: 1, url: 'http://f/x', timeWindows: [] }, /timeWindows must have at least 1 entry/],
      ['scheduleDownload 3 windows', { name: 'scheduleDownload', fileType: 1, url: 'http://f/x', timeWindows: [1, 2, 3] }, /timeWindows must have at most 2 entries/],
      ['window end before start', { name: 'scheduleDownload', fileType: 1, url: 'http://f/x', timeWindows: [{ windowStart: 10, windowEnd: 5, windowMode: 1 }] },
        /timeWindows\[0\].windowEnd must not be before windowStart/],
      ['windows overlap', { name: 'scheduleDownload', fileType: 1, url: 'http://f/x', timeWindows: [{ windowStart: 0, windowEnd: 50, windowMode: 1 }, { windowStart: 40, windowEnd: 90, windowMode: 1 }] },
        /timeWindows\[1\].windowStart must not be before timeWindows\[0\].windowEnd/],
      ['windowMode', { name: 'scheduleDownload', fileType: 1, url: 'http://f/x', timeWindows: [{ windowStart: 0, windowEnd: 5, windowMode: 'whenever' }] },
        /timeWindows\[0\].windowMode must be one of "1 At Any Time"/],
      ['maxRetries', { name: 'scheduleDownload', fileType: 1, url: 'http://f/x', timeWindows: [{ windowStart: 0, windowEnd: 5, windowMode: 1, maxRetries: -2 }] },
        /timeWindows\[0\].maxRetries must be an integer from -1/],
      ['windowStart missing', { name: 'scheduleDownload', fileType: 1, url: 'http://f/x', timeWindows: [{ windowEnd: 5, windowMode: 1 }] }, /timeWindows\[0\].windowStart must be an integer/],
      ['cancelTransfer missing key', { name: 'cancelTransfer' }, /commandKey is required/],
      ['changeDUState empty', { name: 'changeDUState', operations: [] }, /operations must have at least 1 entry/],
      ['changeDUState op', { name: 'changeDUState', operations: [{ remove: { uuid: 'x' } }] }, /operations\[0\] must be one of \{install/],
      ['changeDUState two ops in one', { name: 'changeDUState', operations: [{ install: { url: 'http://a/b' }, uninstall: { uuid: 'x' } }] }, /operations\[0\] must be one of/],
      ['install without url', { name: 'changeDUState', operations: [{ install: { uuid: '6ba7b810-9dad-11d1-80b4-00c04fd430c8' } }] }, /operations\[0\].install.url is required/],
      ['uninstall uuid', { name: 'changeDUState', operations: [{ uninstall: { uuid: 'not-a-uuid' } }] }, /operations\[0\].uninstall.uuid must be a UUID/],
      ['update version', { name: 'changeDUState', operations: [{ update: { version: 'v'.repeat(33) } }] }, /operations\[0\].update.version is longer than 32 characters/],
      ['install typo', { name: 'changeDUState', operations: [{ install: { URL: 'http://a/b' } }] }, /operations\[0\].install: unknown field "URL"/],
      ['provision name', { name: 'provision', provision: '../etc/x' }, /provision must be a script's base name/],
      ['provision unknown', { name: 'provision', provision: 'nope' }, /provision: unknown provision "nope"/],
      ['provision arg', { name: 'provision', provision: 'wifi', args: [{ a: 1 }] }, /args\[0\] must be a string, number or boolean/],
      ['provision and provisions', { name: 'provision', provision: 'wifi', provisions: [{ provision: 'wifi' }] }, /give provision \(with args\) or provisions, not both/],
      ['provision neither', { name: 'provision' }, /^provision is required/],
      ['provisions empty', { name: 'provision', provisions: [] }, /provisions must have at least 1 entry/],
      ['provisions not objects', { name: 'provision', provisions: ['wifi'] }, /provisions\[0\] must be a JSON object/],
      ['provisions unknown one', { name: 'provision', provisions: [{ provision: 'wifi' }, { provision: 'nope' }] }, /provisions\[1\].provision: unknown provision "nope"/],
      ['provisions arg', { name: 'provision', provisions: [{ provision: 'wifi', args: [null] }] }, /provisions\[0\].args\[0\] must be a string, number or boolean/],
      ['provisions typo', { name: 'provision', provisions: [{ provision: 'wifi', arg: [] }] }, /provisions\[0\]: unknown field "arg"/],
      ['factoryReset extra', { name: 'factoryReset', commandKey: 'x' }, /factoryReset: unknown field "commandKey" \(known: none\)/],
    ];
    for (const [what, body, pattern] of cases) {
      it(`${what}: ${pattern.source.slice(0, 70)}`, () => refused(body, pattern));
    }

    it('fileName without a file store is refused with a hint to give url', () => {
      refused({ name: 'download', fileType: 1, fileName: 'fw-2.0.bin' }, /fileName: this ACS has no file store to resolve "fw-2.0.bin"; give url instead/, {});
    });
  });

  describe('followUp', () => {
    it('refreshObject: GetParameterNamesResponse → GetParameterValues of the leaves, then the values are the result', () => {
      const task = ref(taskSpec({ name: 'refreshObject', objectName: 'Device.WiFi.' }), 9);
      const gpn: CpeRequest = { method: 'GetParameterNames', ParameterPath: 'Device.WiFi.', NextLevel: false };
      const step = followUp(task, gpn, {
        method: 'GetParameterNamesResponse',
        ParameterList: [
          { Name: 'Device.WiFi.', Writable: false },
          { Name: 'Device.WiFi.SSID.1.', Writable: false },
          { Name: 'Device.WiFi.SSID.1.SSID', Writable: true },
          { Name: 'Device.WiFi.SSIDNumberOfEntries', Writable: false },
        ],
      });
      // The listing is not kept: the values alone are the result.
      assert.deepEqual(step, { next: { method: 'GetParameterValues', ParameterNames: ['Device.WiFi.SSID.1.SSID', 'Device.WiFi.SSIDNumberOfEntries'] }, earlier: [] });
      const values = [{ Name: 'Device.WiFi.SSID.1.SSID', Value: 'Home', type: 'xsd:string' as XsdType }];
      const done = followUp(task, (step as { next: CpeRequest }).next, { method: 'GetParameterValuesResponse', ParameterList: values });
      assert.deepEqual(done, { result: { ParameterList: values } });
    });

    it('refreshObject: an object with no leaves is done at once', () => {
      const task = ref(taskSpec({ name: 'refreshObject', objectName: 'Device.NAT.PortMapping.' }));
      const step = followUp(task, firstRequest(task)!, { method: 'GetParameterNamesResponse', ParameterList: [{ Name: PM, Writable: true }] });
      assert.deepEqual(step, { result: { ParameterList: [] } });
    });

    it('addObject with parameterValues: SetParameterValues on "<objectName><InstanceNumber>.<name>", then {InstanceNumber, Status, setStatus}', () => {
      const task = ref(taskSpec({ name: 'addObject', objectName: PM, parameterValues: [['ExternalPort', 443], ['Enable', true]], parameterKey: 'pk' }, lookup));
      const added: CpeResponse = { method: 'AddObjectResponse', InstanceNumber: 12, Status: 1 };
      const step = followUp(task, firstRequest(task)!, added);
      const spv: CpeRequest = {
        method: 'SetParameterValues',
        ParameterList: [
          { Name: `${PM}12.ExternalPort`, Value: '443', type: 'xsd:unsignedInt' },
          { Name: `${PM}12.Enable`, Value: 'true', type: 'xsd:boolean' },
        ],
        ParameterKey: 'pk',
      };
      // AddObject's answer is kept: the result's Status is its own.
      assert.deepEqual(step, { next: spv, earlier: [added] });
      assert.deepEqual(followUp(task, spv, { method: 'SetParameterValuesResponse', Status: 0 }, [added]), { result: { InstanceNumber: 12, Status: 1, setStatus: 0 } });
      // Without the earlier responses, Status falls back to the SetParameterValues one.
      assert.deepEqual(followUp(task, spv, { method: 'SetParameterValuesResponse', Status: 0 }), { result: { InstanceNumber: 12, Status: 0, setStatus: 0 } });
    });

    it('addObject without parameterValues: done with {InstanceNumber, Status}', () => {
      const task = ref(taskSpec({ name: 'addObject', objectName: PM }));
      assert.deepEqual(followUp(task, firstRequest(task)!, { method: 'AddObjectResponse', InstanceNumber: 3, Status: 0 }), { result: { InstanceNumber: 3, Status: 0 } });
    });

    it('one-RPC tasks: done with the response without its method', () => {
      const reboot = ref(taskSpec({ name: 'reboot' }));
      assert.deepEqual(followUp(reboot, firstRequest(reboot)!, { method: 'RebootResponse' }), { result: {} });
      const dl = ref(taskSpec({ name: 'download', fileType: 1, url: 'http://f/x' }));
      const answer: CpeResponse = { method: 'DownloadResponse', Status: 1, StartTime: '0001-01-01T00:00:00Z', CompleteTime: '0001-01-01T00:00:00Z' };
      assert.deepEqual(followUp(dl, firstRequest(dl)!, answer), { result: { Status: 1, StartTime: '0001-01-01T00:00:00Z', CompleteTime: '0001-01-01T00:00:00Z' } });
      const gpv = ref(taskSpec({ name: 'getParameterValues', parameterNames: ['Device.A'] }));
      const list = [{ Name: 'Device.A', Value: '1', type: 'xsd:int' as XsdType }];
      assert.deepEqual(followUp(gpv, firstRequest(gpv)!, { method: 'GetParameterValuesResponse', ParameterList: list }), { result: { ParameterList: list } });
    });

    it('a response that does not answer the request is a bug: ACS_ERR_INTERNAL', () => {
      const task = ref(taskSpec({ name: 'reboot' }), 4);
      assert.throws(() => followUp(task, firstRequest(task)!, { method: 'FactoryResetResponse' }), (e: { code?: string; message: string }) =>
        e.code === 'ACS_ERR_INTERNAL' && /task 4: FactoryResetResponse does not answer Reboot/.test(e.message));
    });
  });

  describe('XSD validity', function () {
    // validate.sh costs 70 ms to 1 s per file depending on the machine's load.
    this.timeout(180_000);

    it('every request built here (and the follow-ups) validates against the TR-069 schema', () => {
      const messages = new Map<string, string>();
      const add = (name: string, body: CpeRequest) => messages.set(name, encode({ header: { ID: name }, body, namespace: NS12 }));
      ACCEPTED.forEach(({ body, request }, i) => {
        if (request) add(`${i}-${String(body.name)}`, taskSpec(body, lookup).request!);
      });
      add('spv-all-types', taskSpec({
        name: 'setParameterValues',
        parameterValues: [
          ['X.A', 1, 'xsd:boolean'], ['X.C', '+0042', 'xsd:int'], ['X.D', -5, 'xsd:long'], ['X.E', '18446744073709551615', 'xsd:unsignedLong'],
          ['X.H', 'AAEC', 'base64'], ['X.I', '00ff', 'xsd:hexBinary'], ['X.J', '2026-02-28T23:59:59.5+01:00', 'xsd:dateTime'], ['X.K', '0001-01-01T00:00:00Z', 'xsd:dateTime'],
        ],
      }).request!);
      add('reboot-random-key', taskSpec({ name: 'reboot' }).request!);
      add('download-vendor-type', taskSpec({ name: 'download', fileType: 'X 00D09E Config Bundle', url: 'ftp://f.example.net/x' }).request!);
      add('upload-instance', taskSpec({ name: 'upload', fileType: '4 Vendor Log File 2', url: 'http://f/x' }).request!);
      add('gpn-root', taskSpec({ name: 'getParameterNames', parameterPath: '' }).request!);
      const task = ref(taskSpec({ name: 'addObject', objectName: PM, parameterValues: [['ExternalPort', 443]] }, lookup));
      add('addObject-follow-up', (followUp(task, firstRequest(task)!, { method: 'AddObjectResponse', InstanceNumber: 2, Status: 0 }) as { next: CpeRequest }).next);
      // A control the validator must reject, so a silently broken validator cannot pass this test.
      messages.set('control-invalid', encode({ header: {}, body: { method: 'Reboot', CommandKey: 'c'.repeat(33) }, namespace: NS12 }));
      const run = validateMessages(messages);
      const failures = run.output.split('\n').filter((line) => line.startsWith('FAIL'));
      assert.deepEqual(failures, ['FAIL control-invalid.xml (cwmp-1-4)'], run.output);
      assert.match(run.output, new RegExp(`^${messages.size - 1} valid, 1 invalid$`, 'm'), run.output);
    });
  });
});
