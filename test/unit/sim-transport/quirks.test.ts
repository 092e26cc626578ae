import { strict as assert } from 'node:assert';
import { gunzipSync } from 'node:zlib';
import { decode } from '../../../src/cwmp/soap/decode';
import { encode } from '../../../src/cwmp/soap/encode';
import type { CwmpEnvelope } from '../../../src/cwmp/soap/types';
import { applyQuirks, parseQuirks, QUIRK_NAMES, QUIRK_PROFILES, wireRequest, type Quirk, type QuirkSet } from '../../../src/sim/quirks';
import { tokenize, writeToken } from '../../../src/sim/transport/xml-tokens';
import { CWMP_1_0, expectedEnvelope, GPV_RESPONSE, INFORM, SPV_FAULT } from './messages';

function decodeOk(xml: string): CwmpEnvelope {
  const d = decode(xml);
  assert.ok(d.ok, d.ok ? '' : `${d.kind}: ${d.reason}\n${xml}`);
  assert.deepEqual(d.warnings, []);
  return d.envelope;
}

/** A visible sign that each text quirk did its job (so no quirk passes by doing nothing). */
const EFFECT: Partial<Record<Quirk, (xml: string) => boolean>> = {
  'no-header': (x) => !/Header|cwmp:ID/.test(x),
  'soapenv-prefix': (x) => x.includes('<soapenv:Envelope') && x.includes('xmlns:soap="http://schemas.xmlsoap.org/soap/encoding/"') && !x.includes('soap-env'),
  'soap_env-prefix': (x) => x.includes('<soap_env:Body>') && x.includes('soap_enc:arrayType') && !x.includes('soap-en'),
  'SOAP-ENV': (x) => x.includes('<SOAP-ENV:Envelope') && x.includes('SOAP-ENC:arrayType') && !x.includes('soap-en'),
  'single-quotes': (x) => !x.includes('"') && x.includes("xsi:type='xsd:string'") && x.startsWith("<?xml version='1.0'"),
  'iso-8859-1': (x) => x.includes('encoding="ISO-8859-1"') && x.includes('&#9749;') && !/[^\x00-\xff]/.test(x),
  'cwmp-1-0': (x) => x.includes(`xmlns:cwmp="${CWMP_1_0}"`) && !x.includes('SupportedCWMPVersions') && !x.includes('SessionTimeout'),
  'no-xml-decl': (x) => x.startsWith('<soap-env:Envelope'),
  'padded-arraytype': (x) => /arrayType="cwmp:ParameterValueStruct\[00\d\d\]"/.test(x),
  pretty: (x) => /<Name>\n +Device\.DeviceInfo\.UpTime\n +<\/Name>/.test(x) && /"xsd:unsignedInt">\n +86400\n +<\/Value>/.test(x),
};

describe('sim quirks', function () {
  describe('parseQuirks', function () {
    it('reads a comma-separated list, case-insensitively, ignoring blanks', function () {
      assert.deepEqual([...parseQuirks(' no-cookie, GZIP ,,soap-env ')], ['no-cookie', 'gzip', 'SOAP-ENV']);
      assert.equal(parseQuirks('').size, 0);
      assert.equal(parseQuirks(undefined).size, 0);
      assert.deepEqual([...parseQuirks(['pretty'])], ['pretty']);
    });

    it('refuses an unknown name, naming it', function () {
      assert.throws(() => parseQuirks('gzip,no-cookies'), /unknown quirk "no-cookies"/);
    });

    it('refuses two envelope prefixes', function () {
      assert.throws(() => parseQuirks('soapenv-prefix,SOAP-ENV'), /soapenv-prefix and SOAP-ENV/);
    });

    it('expands device profiles', function () {
      assert.deepEqual([...parseQuirks('thomson')].sort(), [...QUIRK_PROFILES.thomson].sort());
      assert.ok(parseQuirks('mikrotik,gzip').has('gzip'));
    });
  });

  describe('every quirk decodes to the same content with our decoder', function () {
    for (const quirk of QUIRK_NAMES) {
      for (const [name, env] of [['Inform', INFORM], ['GetParameterValuesResponse', GPV_RESPONSE], ['Fault', SPV_FAULT]] as const) {
        it(`${quirk}: ${name}`, function () {
          const quirks = parseQuirks(quirk);
          const xml = applyQuirks(encode(env), quirks);
          const effect = EFFECT[quirk];
          if (!effect) assert.equal(xml, encode(env), `${quirk} is not a text quirk`);
          else if (env !== SPV_FAULT) assert.ok(effect(xml), `${quirk} left no trace:\n${xml}`);
          assert.deepEqual(decodeOk(xml), expectedEnvelope(env, quirks));
        });
      }
    }

    for (const profile of Object.keys(QUIRK_PROFILES)) {
      it(`profile ${profile}: Inform and GetParameterValuesResponse`, function () {
        const quirks = parseQuirks(profile);
        for (const env of [INFORM, GPV_RESPONSE, SPV_FAULT]) assert.deepEqual(decodeOk(applyQuirks(encode(env), quirks)), expectedEnvelope(env, quirks));
      });
    }

    it('all text quirks at once (with each envelope prefix)', function () {
      for (const prefix of ['soapenv-prefix', 'soap_env-prefix', 'SOAP-ENV']) {
        const quirks = parseQuirks(`single-quotes,iso-8859-1,cwmp-1-0,no-xml-decl,padded-arraytype,pretty,${prefix}`);
        for (const env of [INFORM, GPV_RESPONSE, SPV_FAULT]) assert.deepEqual(decodeOk(applyQuirks(encode(env), quirks)), expectedEnvelope(env, quirks));
      }
    });

    it('without text quirks the encoder output is passed through untouched', function () {
      const xml = encode(INFORM);
      assert.equal(applyQuirks(xml, parseQuirks('gzip,no-cookie')), xml);
    });
  });

  describe('tokenizer', function () {
    it('writes back what it read, for the shapes XML can take', function () {
      for (const xml of [
        encode(INFORM),
        "<?xml version='1.0'?>\n<!-- a > comment --><a x='1>2' y=\"q'\"><![CDATA[<not a tag>]]><b/><c z='w'/></a>",
        'text only & more',
        '<unterminated attr="x',
        '< not a tag',
        '<a>text</a><',
      ]) {
        assert.equal(tokenize(xml).map(writeToken).join(''), xml);
      }
    });

    it('reads attributes with odd spacing and quotes holding ">" or the other quote', function () {
      assert.deepEqual(tokenize("<a x='1>2'\n  y = \"q'\" />"), [
        { kind: 'empty', name: 'a', attrs: [{ name: 'x', value: '1>2', quote: "'" }, { name: 'y', value: "q'", quote: '"' }] },
      ]);
      assert.deepEqual(tokenize('<a x=1>'), [{ kind: 'text', raw: '<a x=1>' }]);
    });
  });

  describe('wireRequest', function () {
    it('a message: text/xml with charset, SOAPAction with no value, exact Content-Length', function () {
      const w = wireRequest(encode(GPV_RESPONSE), parseQuirks(''));
      assert.deepEqual(Object.keys(w.headers), ['Content-Type', 'SOAPAction', 'Content-Length']);
      assert.equal(w.headers['Content-Type'], 'text/xml; charset="utf-8"');
      assert.equal(w.headers.SOAPAction, '');
      assert.equal(w.headers['Content-Length'], String(w.body.length));
    });

    it('"Empty POST: no SOAPAction, no Content-Type": Content-Length 0, or an empty chunked body under chunked-empty', function () {
      assert.deepEqual(wireRequest(null, parseQuirks('')), { headers: { 'Content-Length': '0' }, body: Buffer.alloc(0) });
      assert.deepEqual(wireRequest(null, parseQuirks('chunked-empty,gzip')).headers, { 'Transfer-Encoding': 'chunked' });
    });

    it('iso-8859-1 and gzip change the bytes, not the content', function () {
      const w = wireRequest(encode(INFORM), parseQuirks('iso-8859-1,gzip'));
      assert.equal(w.headers['Content-Type'], 'text/xml; charset=ISO-8859-1');
      assert.equal(w.headers['Content-Encoding'], 'gzip');
      const text = gunzipSync(w.body).toString('latin1');
      assert.deepEqual(decodeOk(text), expectedEnvelope(INFORM, parseQuirks('')));
    });
  });
});
