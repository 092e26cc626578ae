/**
 * TR-104 issue 1 (VoiceService:1), the voice model of TR-098 gateways and
 * of early TR-181 ones: VoiceService.{i}.VoiceProfile.{i} with its SIP
 * settings, Line.{i} with the account (SIP.AuthUserName/AuthPassword/URI,
 * DirectoryNumber), the line's codec list and statistics, and the physical
 * ports. No XML of issue 1 is shipped in ../shared/spec/datamodel (only
 * issue 2), so the part gateways use is written out here from the
 * standard's tables and checked against the captured devices
 * (../shared/samples/device-models: Huawei EG8145V5, Nokia G-1425G-A,
 * BM632w). H.323, MGCP, tones, ringers, button maps and numbering plans are
 * left out: an ACS provisioning a SIP line does not touch them.
 *
 * One line per parameter: `Name access syntax [default]`, access `r` or
 * `rw`, syntax `b` (boolean), `u` / `i` (unsignedInt / int, `u:1-` `u:0-65535`
 * for ranges), `s:N` (string of at most N), `s{A|B}` (enumeration), `s[]:N`
 * (comma-separated list), `secret` after the syntax for write-only values.
 */
import type { BbfObject, BbfParameter, BbfSyntax } from './bbf-xml';

type Spec = readonly [path: string, access: 'r' | 'rw', params: readonly string[], numEntries?: string];

const TRANSPORT = 's{UDP|TCP|TLS|SCTP}';
const ENABLE = 's{Disabled|Quiescent|Enabled}';

/** Paths relative to the service's table, "VoiceService.{i}." first. */
const SPECS: readonly Spec[] = [
  ['VoiceService.{i}.', 'r', ['VoiceProfileNumberOfEntries r u']],
  ['VoiceService.{i}.Capabilities.', 'r', [
    'MaxProfileCount r u 1', 'MaxLineCount r u 2', 'MaxSessionsPerLine r u 2', 'MaxSessionCount r u 4',
    'SignalingProtocols r s[]:256 SIP', 'Regions r s[]:256', 'RTCP r b true', 'SRTP r b false', 'RTPRedundancy r b false',
    'DSCPCoupled r b false', 'EthernetTaggingCoupled r b false', 'PSTNSoftSwitchOver r b false', 'FaxT38 r b true',
    'FaxPassThrough r b true', 'ModemPassThrough r b true', 'ToneGeneration r b false', 'RingGeneration r b false',
    'NumberingPlan r b false', 'ButtonMap r b false', 'VoicePortTests r b true', 'DigitMap r b true',
  ]],
  ['VoiceService.{i}.Capabilities.SIP.', 'r', [
    'Role r s{UserAgent|BackToBackUserAgents|OutboundProxy} UserAgent',
    'Extensions r s[]:256 INVITE,ACK,OPTIONS,BYE,CANCEL,REGISTER,REFER,INFO,PRACK,SUBSCRIBE,NOTIFY,UPDATE',
    'Transports r s[]:256 UDP,TCP', 'URISchemes r s[]:256 sip,tel', 'EventSubscription r b false', 'ResponseMap r b false',
  ]],
  ['VoiceService.{i}.Capabilities.Codecs.{i}.', 'r', [
    'EntryID r u:1-', 'Codec r s:64', 'BitRate r u', 'PacketizationPeriod r s[]:64 10,20,30', 'SilenceSuppression r b false',
  ]],
  ['VoiceService.{i}.VoiceProfile.{i}.', 'rw', [
    `Enable rw ${ENABLE} Disabled`, 'Reset rw b false', 'NumberOfLines r u', 'Name rw s:64',
    'SignalingProtocol rw s:64 SIP', 'MaxSessions rw u 2', 'DTMFMethod rw s{InBand|RFC2833|SIPInfo} InBand',
    'Region rw s:2', 'DigitMap rw s:256', 'DigitMapEnable rw b false', 'STUNEnable rw b false', 'STUNServer rw s:256',
    'NonVoiceBandwidthReservedUpstream rw u 0', 'NonVoiceBandwidthReservedDownstream rw u 0', 'PSTNFailOver rw b false',
  ]],
  ['VoiceService.{i}.VoiceProfile.{i}.ServiceProviderInfo.', 'r', [
    'Name rw s:256', 'URL rw s:256', 'ContactPhoneNumber rw s:32', 'EmailAddress rw s:256',
  ]],
  ['VoiceService.{i}.VoiceProfile.{i}.SIP.', 'r', [
    'ProxyServer rw s:256', 'ProxyServerPort rw u:0-65535 5060', `ProxyServerTransport rw ${TRANSPORT} UDP`,
    'RegistrarServer rw s:256', 'RegistrarServerPort rw u:0-65535 5060', `RegistrarServerTransport rw ${TRANSPORT} UDP`,
    'UserAgentDomain rw s:256', 'UserAgentPort rw u:0-65535 5060', `UserAgentTransport rw ${TRANSPORT} UDP`,
    'OutboundProxy rw s:256', 'OutboundProxyPort rw u:0-65535 5060', 'Organization rw s:256',
    'RegistrationPeriod rw u:1- 3300', 'TimerT1 rw u:1- 500', 'TimerT2 rw u:1- 4000', 'TimerT4 rw u:1- 5000',
    'InviteExpires rw u:1- 180', 'ReInviteExpires rw u:1- 1800', 'RegisterExpires rw u:1- 3600', 'RegisterRetryInterval rw u:1- 30',
    'InboundAuth rw s{None|Digest} None', 'InboundAuthUsername rw s:256', 'InboundAuthPassword rw s:256 secret',
    'UseCodecPriorityInSDPResponse rw b false', 'DSCPMark rw u:0-63 46', 'VLANIDMark rw i:-1- -1', 'EthernetPriorityMark rw i:-1- -1',
  ]],
  ['VoiceService.{i}.VoiceProfile.{i}.RTP.', 'r', [
    'LocalPortMin rw u:0-65535 50000', 'LocalPortMax rw u:0-65535 50999', 'DSCPMark rw u:0-63 46',
    'VLANIDMark rw i:-1- -1', 'EthernetPriorityMark rw i:-1- -1', 'TelephoneEventPayloadType rw u:0-128 101',
  ]],
  ['VoiceService.{i}.VoiceProfile.{i}.RTP.RTCP.', 'r', ['Enable rw b true', 'TxRepeatInterval rw u:1- 5000', 'LocalCName rw s:64']],
  ['VoiceService.{i}.VoiceProfile.{i}.FaxT38.', 'r', [
    'Enable rw b false', 'BitRate rw u 14400', 'HighSpeedPacketRate rw u 20', 'HighSpeedRedundancy rw u:0-3 0',
    'LowSpeedRedundancy rw u:0-5 0', 'TCFMethod rw s{Local|Network} Local',
  ]],
  ['VoiceService.{i}.VoiceProfile.{i}.Line.{i}.', 'rw', [
    `Enable rw ${ENABLE} Disabled`, 'DirectoryNumber rw s:32',
    'Status r s{Up|Initializing|Registering|Unregistering|Error|Testing|Quiescent|Disabled} Disabled',
    'CallState r s{Idle|Calling|Ringing|Connecting|InCall|Hold|Disconnecting} Idle',
    'PhyReferenceList rw s[]:32',
  ], 'NumberOfLines'],
  ['VoiceService.{i}.VoiceProfile.{i}.Line.{i}.SIP.', 'r', ['AuthUserName rw s:128', 'AuthPassword rw s:128 secret', 'URI rw s:389']],
  ['VoiceService.{i}.VoiceProfile.{i}.Line.{i}.CallingFeatures.', 'r', [
    'CallerIDEnable rw b true', 'CallerIDNameEnable rw b true', 'CallerIDName rw s:256', 'CallWaitingEnable rw b true',
    'MaxSessions rw u 2', 'CallForwardUnconditionalEnable rw b false', 'CallForwardUnconditionalNumber rw s:32',
    'CallForwardOnBusyEnable rw b false', 'CallForwardOnBusyNumber rw s:32', 'CallForwardOnNoAnswerEnable rw b false',
    'CallForwardOnNoAnswerNumber rw s:32', 'CallForwardOnNoAnswerRingCount rw u 4', 'CallTransferEnable rw b true',
    'MWIEnable rw b false', 'MessageWaiting r b false', 'AnonymousCallBlockEnable rw b false', 'DoNotDisturbEnable rw b false',
    'CallReturnEnable rw b false', 'RepeatDialEnable rw b false',
  ]],
  ['VoiceService.{i}.VoiceProfile.{i}.Line.{i}.Codec.', 'r', [
    'TransmitCodec r s:64', 'ReceiveCodec r s:64', 'TransmitBitRate r u 0', 'ReceiveBitRate r u 0',
    'TransmitSilenceSuppression r b false', 'ReceiveSilenceSuppression r b false', 'TransmitPacketizationPeriod r u 20',
  ]],
  ['VoiceService.{i}.VoiceProfile.{i}.Line.{i}.Codec.List.{i}.', 'r', [
    'EntryID r u:1-', 'Codec r s:64', 'BitRate r u', 'PacketizationPeriod rw s[]:64 20', 'SilenceSuppression rw b false',
    'Enable rw b true', 'Priority rw u:1- 1',
  ]],
  ['VoiceService.{i}.VoiceProfile.{i}.Line.{i}.Stats.', 'r', [
    'ResetStatistics rw b false', 'PacketsSent r u 0', 'PacketsReceived r u 0', 'BytesSent r u 0', 'BytesReceived r u 0',
    'PacketsLost r u 0', 'Overruns r u 0', 'Underruns r u 0', 'IncomingCallsReceived r u 0', 'IncomingCallsAnswered r u 0',
    'IncomingCallsConnected r u 0', 'IncomingCallsFailed r u 0', 'OutgoingCallsAttempted r u 0', 'OutgoingCallsAnswered r u 0',
    'OutgoingCallsConnected r u 0', 'OutgoingCallsFailed r u 0', 'CallsDropped r u 0', 'TotalCallTime r u 0', 'ServerDownTime r u 0',
    'ReceivePacketLossRate r u 0', 'FarEndPacketLossRate r u 0', 'ReceiveInterarrivalJitter r u 0', 'FarEndInterarrivalJitter r u 0',
    'RoundTripDelay r u 0', 'AverageReceiveInterarrivalJitter r u 0', 'AverageFarEndInterarrivalJitter r u 0', 'AverageRoundTripDelay r u 0',
  ]],
  ['VoiceService.{i}.PhyInterface.{i}.', 'r', ['PhyPort r s:2', 'InterfaceID r u:1-', 'Description r s:32']],
  ['VoiceService.{i}.PhyInterface.{i}.Tests.', 'r', [
    'TestState rw s{None|Requested|Complete|Error_TestNotSupported} None',
    'TestSelector rw s{PhoneConnectivityTest} PhoneConnectivityTest', 'PhoneConnectivity r b false',
  ]],
];

/** NumberOfEntries counters of v1 that are not "<Table>NumberOfEntries". */
const PHY_ENTRIES = 'PhyInterfaceNumberOfEntries r u';

function syntaxOf(text: string): BbfSyntax {
  const m = /^([a-z]+)(\[\])?(?:\{([^}]*)\})?(?::(.*))?$/.exec(text);
  if (!m) throw new Error(`bbf-voice-v1: bad syntax ${text}`);
  const [, base, list, enumeration, facet] = m;
  const type = base === 'b' ? 'xsd:boolean' : base === 'u' ? 'xsd:unsignedInt' : base === 'i' ? 'xsd:int' : 'xsd:string';
  const s: BbfSyntax = { type };
  if (enumeration !== undefined) s.enumeration = s.settable = enumeration.split('|');
  if (list) s.list = { maxLength: facet === undefined ? undefined : Number(facet) };
  else if (facet !== undefined && type === 'xsd:string') s.maxLength = Number(facet);
  else if (facet !== undefined) {
    const [min, max] = facet.split(/(?<=\d)-/);
    s.ranges = [{ min: min === '' ? undefined : min, max: max === '' || max === undefined ? undefined : max }];
  }
  return s;
}

function paramOf(line: string): BbfParameter {
  const [name, access, syntax, ...rest] = line.split(' ');
  const secret = rest[0] === 'secret';
  const p: BbfParameter = {
    name,
    access: access === 'rw' ? 'readWrite' : 'readOnly',
    status: 'current',
    forcedInform: false,
    syntax: syntaxOf(syntax),
    secret,
  };
  if (!secret && rest.length > 0) p.defaultValue = rest.join(' ');
  return p;
}

let built: BbfObject | undefined;

/** The VoiceService.{i}. table of TR-104 issue 1, paths relative to the Services object. Built once; callers copy it. */
export function voiceServiceV1(): BbfObject {
  if (built) return built;
  const byPath = new Map<string, BbfObject>();
  for (const [path, access, params, numEntries] of SPECS) {
    const isTable = path.endsWith('.{i}.');
    const o: BbfObject = {
      path, access: isTable && access === 'rw' ? 'readWrite' : 'readOnly', isTable, status: 'current', forcedInform: false,
      params: params.map(paramOf), children: [], ...(numEntries ? { numEntriesParameter: numEntries } : {}),
    };
    const owner = (isTable ? path.slice(0, -4) : path).replace(/[^.]+\.$/, '');
    const parent = byPath.get(owner);
    if (parent) parent.children.push(o);
    else if (byPath.size > 0) throw new Error(`bbf-voice-v1: ${path} has no parent ${owner}`);
    byPath.set(path, o);
  }
  const root = byPath.get('VoiceService.{i}.') as BbfObject;
  root.params.push(paramOf(PHY_ENTRIES));
  built = root;
  return root;
}
