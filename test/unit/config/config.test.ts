import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load';
import { schema } from '../../../src/config/schema';
import { errorCatalogue } from '../../../src/errors';

describe('configuration', function () {
  it('runs with zero configuration: CWMP on :7547 everywhere, NBI on 0.0.0.0:7557 (behind API tokens), SQLite under ./data', function () {
    const c = loadConfig({});
    assert.equal(c.cwmpPort, 7547);
    assert.equal(c.cwmpHost, '0.0.0.0');
    assert.equal(c.nbiHost, '0.0.0.0');
    assert.equal(c.nbiPort, 7557);
    assert.equal(c.databaseUrl, 'sqlite:./data/acs.sqlite');
    assert.equal(c.redisUrl, 'redis://127.0.0.1:6379');
    assert.ok(Object.isFrozen(c));
  });

  it('reads env vars and names the variable in errors', function () {
    assert.equal(loadConfig({ CWMP_PORT: '8000', CWMP_HOLD_REQUESTS: 'true' }).cwmpPort, 8000);
    assert.equal(loadConfig({ CWMP_HOLD_REQUESTS: 'true' }).cwmpHoldRequests, true);
    assert.throws(() => loadConfig({ CWMP_PORT: 'abc' }), /CWMP_PORT=abc/);
    assert.throws(() => loadConfig({ CWMP_AUTH: 'ntlm' }), /CWMP_AUTH=ntlm: expected one of none, basic, digest/);
    assert.throws(() => loadConfig({ CWMP_HOLD_REQUESTS: 'maybe' }), /CWMP_HOLD_REQUESTS/);
  });

  it('documents every env var in README.md', function () {
    const readme = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
    for (const spec of Object.values(schema)) assert.ok(readme.includes(`\`${spec.env}\``), `${spec.env} missing from README`);
  });

  it('documents every error code in README.md', function () {
    const readme = readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
    for (const code of Object.keys(errorCatalogue)) assert.ok(readme.includes(code), `${code} missing from README`);
  });
});
