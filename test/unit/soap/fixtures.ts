/**
 * One sample of every CwmpMessage variant (the mapped type makes a missing
 * method a compile error), with values valid against the BBF XSDs so the
 * same samples serve the round-trip and the XSD tests.
 */
import { cpeFault } from '../../../src/cwmp/soap/fault-codes';
import type { CwmpMessage, CwmpMethod, OpResultStruct, ParameterValueStruct } from '../../../src/cwmp/soap/types';

export const NS10 = 'urn:dslforum-org:cwmp-1-0';
export const NS12 = 'urn:dslforum-org:cwmp-1-2';
export const UNKNOWN_TIME = '0001-01-01T00:00:00Z';

export type Samples = { readonly [K in CwmpMethod]: Extract<CwmpMessage, { method: K }> };

/** Every XsdType, plus values that need escaping or keep edge spaces. */
export const typedValues: ParameterValueStruct[] = [
  { Name: 'Device.WiFi.SSID.1.SSID', Value: 'Home & "Garden" <5G> \'x\' ', type: 'xsd:string' },
  { Name: 'Device.ManagementServer.PeriodicInformInterval', Value: '3600', type: 'xsd:unsignedInt' },
  { Name: 'Device.Time.LocalTimeZoneOffset', Value: '-3600', type: 'xsd:int' },
  { Name: 'Device.IP.Interface.1.Stats.BytesSent', Value: '18446744073709551615', type: 'xsd:unsignedLong' },
  { Name: 'Device.X_EXAMPLE_Delta', Value: '-9223372036854775808', type: 'xsd:long' },
  { Name: 'Device.WiFi.Radio.1.Enable', Value: 'true', type: 'xsd:boolean' },
  { Name: 'Device.Time.CurrentLocalTime', Value: '2026-03-01T12:00:00+01:00', type: 'xsd:dateTime' },
  { Name: 'Device.X_EXAMPLE_Cert', Value: 'PFZvdWNoZXIgLz4=', type: 'xsd:base64' },
  { Name: 'Device.X_EXAMPLE_Mac', Value: '00AABBCCDDEE', type: 'xsd:hexBinary' },
  { Name: 'Device.DeviceInfo.ProvisioningCode', Value: '', type: 'xsd:string' },
];

const opResult: OpResultStruct = {
  UUID: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  DeploymentUnitRef: 'Device.SoftwareModules.DeploymentUnit.1.',
  Version: '1.0',
  CurrentState: 'Installed',
  Resolved: true,
  ExecutionUnitRefList: 'Device.SoftwareModules.ExecutionUnit.1.',
  StartTime: '2026-03-01T12:00:00Z',
  CompleteTime: '2026-03-01T12:00:09Z',
  Fault: { FaultCode: 0, FaultString: '' },
};

const transfer = {
  CommandKey: 'fw-2.4.1',
  FileType: '1 Firmware Upgrade Image',
  URL: 'http://acs.example.net/files/fw-2.4.1.bin',
  Username: 'fw&user',
  Password: 'p<w>d',
};

export const samples: Samples = {
  GetRPCMethods: { method: 'GetRPCMethods' },
  GetRPCMethodsResponse: { method: 'GetRPCMethodsResponse', MethodList: ['Inform', 'GetRPCMethods', 'TransferComplete'] },
  SetParameterValues: { method: 'SetParameterValues', ParameterList: typedValues, ParameterKey: 'provision-42' },
  SetParameterValuesResponse: { method: 'SetParameterValuesResponse', Status: 1 },
  GetParameterValues: { method: 'GetParameterValues', ParameterNames: ['Device.DeviceInfo.SoftwareVersion', 'Device.WiFi.SSID.'] },
  GetParameterValuesResponse: { method: 'GetParameterValuesResponse', ParameterList: typedValues },
  GetParameterNames: { method: 'GetParameterNames', ParameterPath: 'Device.WiFi.', NextLevel: true },
  GetParameterNamesResponse: {
    method: 'GetParameterNamesResponse',
    ParameterList: [
      { Name: 'Device.WiFi.', Writable: false },
      { Name: 'Device.WiFi.SSID.1.SSID', Writable: true },
    ],
  },
  SetParameterAttributes: {
    method: 'SetParameterAttributes',
    ParameterList: [
      { Name: 'Device.DeviceInfo.SoftwareVersion', NotificationChange: true, Notification: 2, AccessListChange: false, AccessList: [] },
      { Name: 'Device.WiFi.SSID.1.SSID', NotificationChange: false, Notification: 0, AccessListChange: true, AccessList: ['Subscriber'] },
    ],
  },
  SetParameterAttributesResponse: { method: 'SetParameterAttributesResponse' },
  GetParameterAttributes: { method: 'GetParameterAttributes', ParameterNames: ['Device.ManagementServer.'] },
  GetParameterAttributesResponse: {
    method: 'GetParameterAttributesResponse',
    ParameterList: [{ Name: 'Device.ManagementServer.URL', Notification: 1, AccessList: ['Subscriber'] }],
  },
  AddObject: { method: 'AddObject', ObjectName: 'Device.NAT.PortMapping.', ParameterKey: 'pm-add-1' },
  AddObjectResponse: { method: 'AddObjectResponse', InstanceNumber: 3, Status: 0 },
  DeleteObject: { method: 'DeleteObject', ObjectName: 'Device.NAT.PortMapping.3.', ParameterKey: 'pm-del-3' },
  DeleteObjectResponse: { method: 'DeleteObjectResponse', Status: 1 },
  Reboot: { method: 'Reboot', CommandKey: 'reboot-20260101' },
  RebootResponse: { method: 'RebootResponse' },
  FactoryReset: { method: 'FactoryReset' },
  FactoryResetResponse: { method: 'FactoryResetResponse' },
  Download: {
    method: 'Download',
    ...transfer,
    FileSize: 16777216,
    TargetFileName: 'fw.bin',
    DelaySeconds: 0,
    SuccessURL: '',
    FailureURL: 'http://portal.example.net/failed?a=1&b=2',
  },
  DownloadResponse: { method: 'DownloadResponse', Status: 1, StartTime: UNKNOWN_TIME, CompleteTime: UNKNOWN_TIME },
  Upload: { method: 'Upload', ...transfer, FileType: '2 Vendor Log File', DelaySeconds: 5 },
  UploadResponse: { method: 'UploadResponse', Status: 0, StartTime: '2026-03-01T12:00:00Z', CompleteTime: '2026-03-01T12:00:05Z' },
  ScheduleInform: { method: 'ScheduleInform', DelaySeconds: 300, CommandKey: 'check-in-later' },
  ScheduleInformResponse: { method: 'ScheduleInformResponse' },
  ScheduleDownload: {
    method: 'ScheduleDownload',
    ...transfer,
    FileSize: 0,
    TargetFileName: '',
    TimeWindowList: [
      { WindowStart: 3600, WindowEnd: 7200, WindowMode: '3 When Idle', UserMessage: '', MaxRetries: -1 },
      { WindowStart: 86400, WindowEnd: 90000, WindowMode: '1 At Any Time', UserMessage: 'Update tonight', MaxRetries: 3 },
    ],
  },
  ScheduleDownloadResponse: { method: 'ScheduleDownloadResponse' },
  CancelTransfer: { method: 'CancelTransfer', CommandKey: 'fw-night' },
  CancelTransferResponse: { method: 'CancelTransferResponse' },
  ChangeDUState: {
    method: 'ChangeDUState',
    Operations: [
      {
        op: 'Install',
        URL: 'http://acs.example.net/du/speedtest-1.0.ipk',
        UUID: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
        Username: '',
        Password: '',
        ExecutionEnvRef: 'Device.SoftwareModules.ExecEnv.1.',
      },
      { op: 'Update', UUID: '0f6c1b3e-2a44-4b1c-9d51-3c2e1a7b9d10', Version: '2.0', URL: 'http://acs.example.net/du/iperf-2.0.ipk' },
      { op: 'Uninstall', UUID: '1e9f2c40-7d0b-4f5a-8c36-2b7a9e4d5f61' },
    ],
    CommandKey: 'du-batch-7',
  },
  ChangeDUStateResponse: { method: 'ChangeDUStateResponse' },
  GetQueuedTransfers: { method: 'GetQueuedTransfers' },
  GetQueuedTransfersResponse: { method: 'GetQueuedTransfersResponse', TransferList: [{ CommandKey: 'fw-1', State: 2 }] },
  GetAllQueuedTransfers: { method: 'GetAllQueuedTransfers' },
  GetAllQueuedTransfersResponse: {
    method: 'GetAllQueuedTransfersResponse',
    TransferList: [
      { CommandKey: 'fw-1', State: 2, IsDownload: true, FileType: '1 Firmware Upgrade Image', FileSize: 1024, TargetFileName: 'fw.bin' },
      { CommandKey: 'log-1', State: 1, IsDownload: false, FileType: '2 Vendor Log File', FileSize: 0, TargetFileName: '' },
    ],
  },
  Inform: {
    method: 'Inform',
    DeviceId: { Manufacturer: 'Example & Co', OUI: '00259E', ProductClass: 'HG8245H', SerialNumber: 'SN0001' },
    Event: [
      { EventCode: '1 BOOT', CommandKey: '' },
      { EventCode: 'M Reboot', CommandKey: 'reboot-20260101' },
    ],
    MaxEnvelopes: 1,
    CurrentTime: '2026-03-01T12:00:00Z',
    RetryCount: 0,
    ParameterList: typedValues.slice(0, 3),
  },
  InformResponse: { method: 'InformResponse', MaxEnvelopes: 1 },
  TransferComplete: {
    method: 'TransferComplete',
    CommandKey: 'fw-2.4.1',
    FaultStruct: { FaultCode: 9010, FaultString: 'Download failed: 404' },
    StartTime: '2026-03-01T12:00:00Z',
    CompleteTime: '2026-03-01T12:01:00Z',
  },
  TransferCompleteResponse: { method: 'TransferCompleteResponse' },
  AutonomousTransferComplete: {
    method: 'AutonomousTransferComplete',
    AnnounceURL: 'http://announce.example.net/',
    TransferURL: 'http://files.example.net/fw.bin',
    IsDownload: true,
    FileType: '1 Firmware Upgrade Image',
    FileSize: 4096,
    TargetFileName: 'fw.bin',
    FaultStruct: { FaultCode: 0, FaultString: '' },
    StartTime: '2026-03-01T12:00:00Z',
    CompleteTime: '2026-03-01T12:01:00Z',
  },
  AutonomousTransferCompleteResponse: { method: 'AutonomousTransferCompleteResponse' },
  DUStateChangeComplete: { method: 'DUStateChangeComplete', Results: [opResult], CommandKey: 'du-batch-7' },
  DUStateChangeCompleteResponse: { method: 'DUStateChangeCompleteResponse' },
  AutonomousDUStateChangeComplete: {
    method: 'AutonomousDUStateChangeComplete',
    Results: [
      { ...opResult, OperationPerformed: 'Install' },
      { ...opResult, CurrentState: 'Failed', Resolved: false, Fault: { FaultCode: 9018, FaultString: 'corrupt' }, OperationPerformed: 'Update' },
    ],
  },
  AutonomousDUStateChangeCompleteResponse: { method: 'AutonomousDUStateChangeCompleteResponse' },
  RequestDownload: { method: 'RequestDownload', FileType: '3 Vendor Configuration File', FileTypeArg: [{ Name: 'Version', Value: '1.2' }] },
  RequestDownloadResponse: { method: 'RequestDownloadResponse' },
  Kicked: { method: 'Kicked', Command: 'reset', Referer: 'http://portal.example.net/', Arg: 'a=1&b=2', Next: 'http://portal.example.net/done' },
  KickedResponse: { method: 'KickedResponse', NextURL: 'http://portal.example.net/next' },
  Fault: cpeFault(9003, undefined, [
    { ParameterName: 'Device.WiFi.SSID.1.SSID', FaultCode: 9007, FaultString: 'Invalid parameter value' },
    { ParameterName: 'Device.DeviceInfo.SerialNumber', FaultCode: 9008, FaultString: 'Attempt to set a non-writable parameter' },
  ]),
};

/** What the ACS sends: CPE requests, answers to CPE requests, faults. */
export const ACS_SENT: readonly CwmpMethod[] = [
  'GetRPCMethods', 'SetParameterValues', 'GetParameterValues', 'GetParameterNames', 'SetParameterAttributes',
  'GetParameterAttributes', 'AddObject', 'DeleteObject', 'Reboot', 'FactoryReset', 'Download', 'Upload',
  'ScheduleInform', 'ScheduleDownload', 'CancelTransfer', 'ChangeDUState', 'GetQueuedTransfers', 'GetAllQueuedTransfers',
  'InformResponse', 'TransferCompleteResponse', 'AutonomousTransferCompleteResponse', 'DUStateChangeCompleteResponse',
  'AutonomousDUStateChangeCompleteResponse', 'RequestDownloadResponse', 'KickedResponse', 'GetRPCMethodsResponse',
];

/** What a CPE sends (our simulator): ACS requests and answers to CPE requests. */
export const CPE_SENT: readonly CwmpMethod[] = [
  'Inform', 'TransferComplete', 'AutonomousTransferComplete', 'DUStateChangeComplete', 'AutonomousDUStateChangeComplete',
  'RequestDownload', 'Kicked', 'GetRPCMethods',
  'GetRPCMethodsResponse', 'GetParameterValuesResponse', 'SetParameterValuesResponse', 'GetParameterNamesResponse',
  'GetParameterAttributesResponse', 'SetParameterAttributesResponse', 'AddObjectResponse', 'DeleteObjectResponse',
  'RebootResponse', 'FactoryResetResponse', 'DownloadResponse', 'UploadResponse', 'ScheduleInformResponse',
  'ScheduleDownloadResponse', 'CancelTransferResponse', 'ChangeDUStateResponse', 'GetQueuedTransfersResponse',
  'GetAllQueuedTransfersResponse', 'Fault',
];

/** Methods declared in cwmp-1-0.xsd (Issue 1 / Amendment 1). */
export const IN_CWMP_1_0: ReadonlySet<CwmpMethod> = new Set<CwmpMethod>([
  'GetRPCMethods', 'GetRPCMethodsResponse', 'SetParameterValues', 'SetParameterValuesResponse', 'GetParameterValues',
  'GetParameterValuesResponse', 'GetParameterNames', 'GetParameterNamesResponse', 'SetParameterAttributes',
  'SetParameterAttributesResponse', 'GetParameterAttributes', 'GetParameterAttributesResponse', 'AddObject',
  'AddObjectResponse', 'DeleteObject', 'DeleteObjectResponse', 'Download', 'DownloadResponse', 'Reboot', 'RebootResponse',
  'GetQueuedTransfers', 'GetQueuedTransfersResponse', 'ScheduleInform', 'ScheduleInformResponse', 'Upload', 'UploadResponse',
  'FactoryReset', 'FactoryResetResponse', 'Inform', 'InformResponse', 'TransferComplete', 'TransferCompleteResponse',
  'Kicked', 'KickedResponse', 'RequestDownload', 'RequestDownloadResponse', 'Fault',
]);
