/**
 * What we send validates against the official BBF XSDs (shared/tools/cwmp-validate,
 * xmllint): every ACS -> CPE message in cwmp-1-2 (checked with cwmp-1-4.xsd) and,
 * where the schema has the RPC, in cwmp-1-0; the CPE-side messages the simulator
 * sends. One validate.sh run for everything (~70-100 ms per file). The validator's
 * own examples are compared with our output text instead (decode + encode gives
 * the same document, modulo layout).
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from '../../../src/cwmp/soap/decode';
import { encode } from '../../../src/cwmp/soap/encode';
import { acsFault } from '../../../src/cwmp/soap/fault-codes';
import type { CwmpEnvelope, CwmpHeader, CwmpMessage } from '../../../src/cwmp/soap/types';
import { VALIDATE_SH, validateMessages } from '../../helpers/validate';
import { ACS_SENT, CPE_SENT, IN_CWMP_1_0, NS10, NS12, samples } from './fixtures';

const EXAMPLES = join(VALIDATE_SH, '../examples');
/** Deprecated RPCs the validator has examples of, outside our union: decode says unknown-method. */
const NOT_IN_UNION = new Set(['GetOptions.xml', 'SetVouchers.xml']);

function add(messages: Map<string, string>, name: string, body: CwmpMessage, namespace: string, header: CwmpHeader = { ID: name }): void {
  messages.set(name, encode({ header, body, namespace }));
}

function acsMessages(messages: Map<string, string>): void {
  for (const method of ACS_SENT) {
    add(messages, `acs-1-2-${method}`, samples[method], NS12);
    if (IN_CWMP_1_0.has(method)) add(messages, `acs-1-0-${method}`, samples[method], NS10);
  }
  add(messages, 'acs-1-2-InformResponse-HoldRequests', samples.InformResponse, NS12, { ID: 'cpe-77', HoldRequests: true });
  add(messages, 'acs-1-0-InformResponse-HoldRequests', samples.InformResponse, NS10, { ID: 'cpe-77', HoldRequests: false });
  add(messages, 'acs-1-2-InformResponse-UseCWMPVersion', samples.InformResponse, NS12, { ID: 'cpe-78', UseCWMPVersion: '1.4' });
  add(messages, 'acs-1-2-Fault-8005', acsFault(8005), NS12);
  add(messages, 'acs-1-0-Fault-8005', acsFault(8005), NS10);
  add(messages, 'acs-1-2-Fault-8003', acsFault(8003, 'Inform: DeviceId.OUI missing'), NS12);
}

function cpeMessages(messages: Map<string, string>): void {
  for (const method of CPE_SENT) add(messages, `cpe-1-2-${method}`, samples[method], NS12);
  add(messages, 'cpe-1-2-Inform-1.4-header', samples.Inform, NS12, { ID: '1', SessionTimeout: 30, SupportedCWMPVersions: '1.0,1.1,1.2,1.3,1.4' });
}

/** Whitespace between tags and <x></x> vs <x/> are the only differences allowed from the hand-written examples. */
function canonical(xml: string): string {
  return xml
    .replace(/^<\?xml[^>]*\?>/, '')
    .replace(/>\s+</g, '><')
    .replace(/\s+/g, ' ')
    .replace(/<([^<>/]+)><\/[^<>]+>/g, '<$1/>')
    .trim();
}

function roundTripOf(file: string): CwmpEnvelope {
  const r = decode(readFileSync(join(EXAMPLES, file), 'utf8'));
  if (!r.ok) assert.fail(`${file}: ${r.reason}`);
  return r.envelope;
}

describe('soap: XSD validation of what we send', function () {
  // One xmllint run per message, one after the other: over a minute on a loaded machine (CI runs test files in
  // parallel); a time limit, not a check of speed.
  this.timeout(180_000);

  it('validates every ACS message (cwmp-1-2 and cwmp-1-0) and every CPE message (cwmp-1-2) in one validate.sh run', () => {
    const messages = new Map<string, string>();
    acsMessages(messages);
    cpeMessages(messages);
    // A control the validator must reject, so a silently broken validator cannot pass this test.
    const control = encode({ header: {}, body: samples.GetParameterNames, namespace: NS12 }).replace('>true<', '>maybe<');
    messages.set('control-invalid', control);
    const run = validateMessages(messages);
    const failures = run.output.split('\n').filter((line) => line.startsWith('FAIL'));
    assert.deepEqual(failures, ['FAIL control-invalid.xml (cwmp-1-4)'], run.output);
    assert.match(run.output, new RegExp(`^${messages.size - 1} valid, 1 invalid$`, 'm'), run.output);
  });

  it('writes exactly what the validator examples hold (modulo layout)', () => {
    for (const file of readdirSync(EXAMPLES).filter((f) => !NOT_IN_UNION.has(f))) {
      const original = readFileSync(join(EXAMPLES, file), 'utf8');
      assert.equal(canonical(encode(roundTripOf(file))), canonical(original), file);
    }
  });

  it('refuses the deprecated GetOptions / SetVouchers examples as unknown methods', () => {
    for (const file of NOT_IN_UNION) {
      const r = decode(readFileSync(join(EXAMPLES, file), 'utf8'));
      assert.ok(!r.ok && r.kind === 'unknown-method' && r.id !== undefined, file);
    }
  });
});
