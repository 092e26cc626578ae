/** The simulator's TLS flags (--ca, --insecure, --cert/--key, --cert-dir) as the fleet options they become. */
import { strict as assert } from 'node:assert';
import { fleetTlsOf } from '../../src/sim/tls-files';
import { makeCa, type Ca } from './pki';

describe('TLS: the simulator\'s certificate flags', function () {
  let ca: Ca;
  before(function () {
    ca = makeCa();
  });

  it('gives nothing without flags (Node\'s own trust store, no client certificate)', function () {
    assert.equal(fleetTlsOf({}), undefined);
  });

  it('reads --ca and one --cert/--key for every device; --insecure accepts any server certificate', function () {
    const shared = ca.issue('shared', { cn: 'any' });
    const tls = fleetTlsOf({ ca: ca.certFile, cert: shared.certFile, key: shared.keyFile, insecure: true });
    assert.deepEqual(tls?.ca, ca.cert);
    assert.deepEqual(tls?.certificate, { cert: shared.cert, key: shared.key });
    assert.equal(tls?.rejectUnauthorized, false);
  });

  it('finds each device\'s own certificate in --cert-dir as <serial>.crt and <serial>.key', function () {
    const own = ca.issue('SIM000001', { cn: 'SIM000001' });
    const tls = fleetTlsOf({ certDir: ca.dir });
    assert.deepEqual(tls?.certificateFor?.('SIM000001'), { cert: own.cert, key: own.key });
    assert.equal(tls?.certificateFor?.('SIM000002'), undefined);
  });

  it('names the flag and file it cannot use', function () {
    assert.throws(() => fleetTlsOf({ cert: ca.certFile }), /--cert and --key go together/);
    assert.throws(() => fleetTlsOf({ ca: '/nowhere/ca.crt' }), /--ca \/nowhere\/ca.crt: ENOENT/);
    assert.throws(() => fleetTlsOf({ certDir: '/nowhere' }), /--cert-dir \/nowhere: no such folder/);
  });
});
