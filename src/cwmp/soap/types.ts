/**
 * CWMP (TR-069) messages as plain typed data.
 *
 * Field names are the spec's element names verbatim (TR-069 Annex A), so a
 * reader can hold this file next to the XSD. One interface per RPC; the
 * `method` field discriminates the {@link CwmpMessage} union.
 *
 * Values travel as strings, exactly as the wire carries them, with their
 * xsi:type beside them: unsignedLong does not fit a JS number, and dateTime
 * values from real CPEs ("0000-00-00T00:00:00", no TZ) do not survive a Date
 * round trip. The decoder only normalises booleans to "true"/"false" and trims
 * whitespace that pretty-printers add around non-string values.
 */

/** A full or partial parameter path, e.g. "Device.DeviceInfo." or "Device.WiFi.SSID.1.SSID". */
export type ParameterPath = string;

/** The xsi:type names a Value can carry (TR-069 A.2.1 / TR-106 primitive types). */
export type XsdType =
  | 'xsd:string'
  | 'xsd:int'
  | 'xsd:unsignedInt'
  | 'xsd:long'
  | 'xsd:unsignedLong'
  | 'xsd:boolean'
  | 'xsd:dateTime'
  | 'xsd:base64'
  | 'xsd:hexBinary';

/** CWMP protocol versions, 1.0 (Issue 1) to 1.4 (Amendment 5/6). */
export type CwmpVersion = '1.0' | '1.1' | '1.2' | '1.3' | '1.4';

// ---------------------------------------------------------------- structs

export interface DeviceIdStruct {
  Manufacturer: string;
  OUI: string;
  ProductClass: string;
  SerialNumber: string;
}

export interface EventStruct {
  EventCode: string;
  CommandKey: string;
}

export interface ParameterValueStruct {
  Name: ParameterPath;
  Value: string;
  type: XsdType;
}

export interface ParameterInfoStruct {
  Name: ParameterPath;
  Writable: boolean;
}

/** Notification: 0 off, 1 passive, 2 active, 3-6 lightweight modes (1.4). */
export type NotificationLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export interface ParameterAttributeStruct {
  Name: ParameterPath;
  Notification: NotificationLevel;
  AccessList: string[];
}

export interface SetParameterAttributesStruct {
  Name: ParameterPath;
  NotificationChange: boolean;
  Notification: NotificationLevel;
  AccessListChange: boolean;
  AccessList: string[];
}

export interface FaultStruct {
  FaultCode: number;
  FaultString: string;
}

export interface TimeWindowStruct {
  WindowStart: number;
  WindowEnd: number;
  /** "1 At Any Time" | "2 Immediately" | "3 When Idle" | "4 Confirmation Needed" */
  WindowMode: string;
  UserMessage: string;
  MaxRetries: number;
}

/** ChangeDUState operations; the XSD's abstract OperationStruct, typed by xsi:type on the wire. */
export type OperationStruct =
  | { op: 'Install'; URL: string; UUID?: string; Username?: string; Password?: string; ExecutionEnvRef?: string }
  | { op: 'Update'; UUID?: string; Version?: string; URL?: string; Username?: string; Password?: string }
  | { op: 'Uninstall'; UUID: string; Version?: string; ExecutionEnvRef?: string };

export interface OpResultStruct {
  UUID: string;
  DeploymentUnitRef: string;
  Version: string;
  /** "Installed" | "Uninstalled" | "Failed" */
  CurrentState: string;
  Resolved: boolean;
  ExecutionUnitRefList: string;
  StartTime: string;
  CompleteTime: string;
  Fault: FaultStruct;
}

export interface AutonOpResultStruct extends OpResultStruct {
  /** "Install" | "Update" | "Uninstall" */
  OperationPerformed: string;
}

export interface QueuedTransferStruct {
  CommandKey: string;
  /** 1 not yet started, 2 in progress, 3 completed */
  State: number;
}

export interface AllQueuedTransferStruct extends QueuedTransferStruct {
  IsDownload: boolean;
  FileType: string;
  FileSize: number;
  TargetFileName: string;
}

export interface ArgStruct {
  Name: string;
  Value: string;
}

export interface SetParameterValuesFaultStruct {
  ParameterName: ParameterPath;
  FaultCode: number;
  FaultString: string;
}

// ------------------------------------------- CPE methods (ACS -> CPE requests)

export interface GetRPCMethods { method: 'GetRPCMethods' }
export interface GetParameterValues { method: 'GetParameterValues'; ParameterNames: ParameterPath[] }
export interface SetParameterValues {
  method: 'SetParameterValues';
  ParameterList: ParameterValueStruct[];
  ParameterKey: string;
}
export interface GetParameterNames { method: 'GetParameterNames'; ParameterPath: ParameterPath; NextLevel: boolean }
export interface GetParameterAttributes { method: 'GetParameterAttributes'; ParameterNames: ParameterPath[] }
export interface SetParameterAttributes { method: 'SetParameterAttributes'; ParameterList: SetParameterAttributesStruct[] }
export interface AddObject { method: 'AddObject'; ObjectName: ParameterPath; ParameterKey: string }
export interface DeleteObject { method: 'DeleteObject'; ObjectName: ParameterPath; ParameterKey: string }
export interface Reboot { method: 'Reboot'; CommandKey: string }
export interface FactoryReset { method: 'FactoryReset' }
export interface Download {
  method: 'Download';
  CommandKey: string;
  FileType: string;
  URL: string;
  Username: string;
  Password: string;
  FileSize: number;
  TargetFileName: string;
  DelaySeconds: number;
  SuccessURL: string;
  FailureURL: string;
}
export interface Upload {
  method: 'Upload';
  CommandKey: string;
  FileType: string;
  URL: string;
  Username: string;
  Password: string;
  DelaySeconds: number;
}
export interface ScheduleInform { method: 'ScheduleInform'; DelaySeconds: number; CommandKey: string }
export interface ScheduleDownload {
  method: 'ScheduleDownload';
  CommandKey: string;
  FileType: string;
  URL: string;
  Username: string;
  Password: string;
  FileSize: number;
  TargetFileName: string;
  TimeWindowList: TimeWindowStruct[];
}
export interface CancelTransfer { method: 'CancelTransfer'; CommandKey: string }
export interface ChangeDUState { method: 'ChangeDUState'; Operations: OperationStruct[]; CommandKey: string }
export interface GetQueuedTransfers { method: 'GetQueuedTransfers' }
export interface GetAllQueuedTransfers { method: 'GetAllQueuedTransfers' }

// ------------------------------------------------ their responses (CPE -> ACS)

export interface GetRPCMethodsResponse { method: 'GetRPCMethodsResponse'; MethodList: string[] }
export interface GetParameterValuesResponse { method: 'GetParameterValuesResponse'; ParameterList: ParameterValueStruct[] }
export interface SetParameterValuesResponse { method: 'SetParameterValuesResponse'; Status: 0 | 1 }
export interface GetParameterNamesResponse { method: 'GetParameterNamesResponse'; ParameterList: ParameterInfoStruct[] }
export interface GetParameterAttributesResponse {
  method: 'GetParameterAttributesResponse';
  ParameterList: ParameterAttributeStruct[];
}
export interface SetParameterAttributesResponse { method: 'SetParameterAttributesResponse' }
export interface AddObjectResponse { method: 'AddObjectResponse'; InstanceNumber: number; Status: 0 | 1 }
export interface DeleteObjectResponse { method: 'DeleteObjectResponse'; Status: 0 | 1 }
export interface RebootResponse { method: 'RebootResponse' }
export interface FactoryResetResponse { method: 'FactoryResetResponse' }
export interface DownloadResponse { method: 'DownloadResponse'; Status: 0 | 1; StartTime: string; CompleteTime: string }
export interface UploadResponse { method: 'UploadResponse'; Status: 0 | 1; StartTime: string; CompleteTime: string }
export interface ScheduleInformResponse { method: 'ScheduleInformResponse' }
export interface ScheduleDownloadResponse { method: 'ScheduleDownloadResponse' }
export interface CancelTransferResponse { method: 'CancelTransferResponse' }
export interface ChangeDUStateResponse { method: 'ChangeDUStateResponse' }
export interface GetQueuedTransfersResponse { method: 'GetQueuedTransfersResponse'; TransferList: QueuedTransferStruct[] }
export interface GetAllQueuedTransfersResponse {
  method: 'GetAllQueuedTransfersResponse';
  TransferList: AllQueuedTransferStruct[];
}

// ------------------------------------------- ACS methods (CPE -> ACS requests)

export interface Inform {
  method: 'Inform';
  DeviceId: DeviceIdStruct;
  Event: EventStruct[];
  MaxEnvelopes: number;
  CurrentTime: string;
  RetryCount: number;
  ParameterList: ParameterValueStruct[];
}
export interface TransferComplete {
  method: 'TransferComplete';
  CommandKey: string;
  FaultStruct: FaultStruct;
  StartTime: string;
  CompleteTime: string;
}
export interface AutonomousTransferComplete {
  method: 'AutonomousTransferComplete';
  AnnounceURL: string;
  TransferURL: string;
  IsDownload: boolean;
  FileType: string;
  FileSize: number;
  TargetFileName: string;
  FaultStruct: FaultStruct;
  StartTime: string;
  CompleteTime: string;
}
export interface DUStateChangeComplete { method: 'DUStateChangeComplete'; Results: OpResultStruct[]; CommandKey: string }
export interface AutonomousDUStateChangeComplete {
  method: 'AutonomousDUStateChangeComplete';
  Results: AutonOpResultStruct[];
}
export interface RequestDownload { method: 'RequestDownload'; FileType: string; FileTypeArg: ArgStruct[] }
export interface Kicked { method: 'Kicked'; Command: string; Referer: string; Arg: string; Next: string }

// ---------------------------------------------- their responses (ACS -> CPE)

export interface InformResponse { method: 'InformResponse'; MaxEnvelopes: number }
export interface TransferCompleteResponse { method: 'TransferCompleteResponse' }
export interface AutonomousTransferCompleteResponse { method: 'AutonomousTransferCompleteResponse' }
export interface DUStateChangeCompleteResponse { method: 'DUStateChangeCompleteResponse' }
export interface AutonomousDUStateChangeCompleteResponse { method: 'AutonomousDUStateChangeCompleteResponse' }
export interface RequestDownloadResponse { method: 'RequestDownloadResponse' }
export interface KickedResponse { method: 'KickedResponse'; NextURL: string }

/** A SOAP Fault carrying a cwmp:Fault detail (TR-069 A.5). */
export interface Fault {
  method: 'Fault';
  /** SOAP faultcode: "Client" for bad requests, "Server" otherwise. */
  faultcode: 'Client' | 'Server';
  FaultCode: number;
  FaultString: string;
  /** Only in answers to SetParameterValues (fault 9003). */
  SetParameterValuesFault?: SetParameterValuesFaultStruct[];
}

// ------------------------------------------------------------------ unions

/** Requests the ACS sends to a CPE ("CPE methods"). */
export type CpeRequest =
  | GetRPCMethods
  | GetParameterValues
  | SetParameterValues
  | GetParameterNames
  | GetParameterAttributes
  | SetParameterAttributes
  | AddObject
  | DeleteObject
  | Reboot
  | FactoryReset
  | Download
  | Upload
  | ScheduleInform
  | ScheduleDownload
  | CancelTransfer
  | ChangeDUState
  | GetQueuedTransfers
  | GetAllQueuedTransfers;

/** What a CPE answers to a {@link CpeRequest}. */
export type CpeResponse =
  | GetRPCMethodsResponse
  | GetParameterValuesResponse
  | SetParameterValuesResponse
  | GetParameterNamesResponse
  | GetParameterAttributesResponse
  | SetParameterAttributesResponse
  | AddObjectResponse
  | DeleteObjectResponse
  | RebootResponse
  | FactoryResetResponse
  | DownloadResponse
  | UploadResponse
  | ScheduleInformResponse
  | ScheduleDownloadResponse
  | CancelTransferResponse
  | ChangeDUStateResponse
  | GetQueuedTransfersResponse
  | GetAllQueuedTransfersResponse;

/** Requests a CPE sends to the ACS ("ACS methods"); GetRPCMethods is shared with CpeRequest. */
export type AcsRequest =
  | Inform
  | TransferComplete
  | AutonomousTransferComplete
  | DUStateChangeComplete
  | AutonomousDUStateChangeComplete
  | RequestDownload
  | Kicked
  | GetRPCMethods;

/** What the ACS answers to an {@link AcsRequest}. */
export type AcsResponse =
  | InformResponse
  | TransferCompleteResponse
  | AutonomousTransferCompleteResponse
  | DUStateChangeCompleteResponse
  | AutonomousDUStateChangeCompleteResponse
  | RequestDownloadResponse
  | KickedResponse
  | GetRPCMethodsResponse;

/** Every message that can stand in a CWMP SOAP Body. */
export type CwmpMessage = CpeRequest | CpeResponse | AcsRequest | AcsResponse | Fault;

export type CwmpMethod = CwmpMessage['method'];

/** The CWMP SOAP header elements (TR-069 A.4.2). */
export interface CwmpHeader {
  /** cwmp:ID: the requester's id, echoed by the answer. */
  ID?: string;
  /** ACS -> CPE: true forbids the CPE's next POST from carrying a request. */
  HoldRequests?: boolean;
  /** CPE -> ACS on Inform (1.3+): seconds the CPE waits between messages. */
  SessionTimeout?: number;
  /** CPE -> ACS on Inform (1.4): e.g. "1.0,1.1,1.2,1.3,1.4". */
  SupportedCWMPVersions?: string;
  /** ACS -> CPE in InformResponse (1.4): the version chosen for the session. */
  UseCWMPVersion?: string;
  /** Issue 1 header in no XSD; accepted and ignored. */
  NoMoreRequests?: boolean;
}

export interface CwmpEnvelope<M extends CwmpMessage = CwmpMessage> {
  header: CwmpHeader;
  body: M;
  /** The cwmp namespace URI the message used, e.g. "urn:dslforum-org:cwmp-1-0". */
  namespace: string;
}
