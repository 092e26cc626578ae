/**
 * GET /openapi.json (issue 10 §1): an OpenAPI 3.1 document made from the
 * schemas that check requests. The test walks it against the real server:
 * every route served is documented and the other way round (but for the
 * routers not yet described, listed below), every operation refuses an
 * anonymous request and a token below its scope, and bad bodies and query
 * parameters, made from the document's own schemas, are refused with a 400
 * naming the field; none of these requests changes anything stored.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import type { Scope } from '../../src/nbi/auth/tokens';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { newToken, withToken } from '../helpers/api-token';

/**
 * Routes served by routers not yet described (issue 10 §1: devices.ts).
 * An entry starting with "/" is a path prefix, others are "METHOD /path".
 * Remove an entry when its router is converted: the test fails while an
 * entry matches no undocumented route.
 */

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  maxLength?: number;
  example?: unknown;
}
interface Parameter { name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: Schema }
interface Operation {
  'x-acs-scope'?: Scope;
  security?: unknown[];
  parameters?: Parameter[];
  /** JSON, and text or bytes in other media types (scripts, file uploads). */
  requestBody?: { content: { 'application/json'?: { schema: Schema } } & Record<string, unknown> };
  responses: Record<string, unknown>;
}
interface Doc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
}
interface Op { method: string; path: string; op: Operation }
interface Answer { status: number; body: { error?: string; code?: string; field?: string } }

const LOWER: Record<Scope, Scope[]> = { read: [], write: ['read'], admin: ['read', 'write'] };
/** The device of the path examples (schemas.ts deviceId), made to exist so that writes to it would show. */
const DEVICE = '00A0C9-Router-SN0001';

const operations = (doc: Doc): Op[] => Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));

/** A concrete path: each parameter's example, or a value of its type. */
function concrete(o: Op): string {
  return o.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const schema = o.op.parameters?.find((p) => p.in === 'path' && p.name === name)?.schema ?? {};
    return encodeURIComponent(String(schema.example ?? (schema.type === 'integer' ? 1 : 'x')));
  });
}

const jsonBodyOf = (o: Op): Schema | undefined => o.op.requestBody?.content['application/json']?.schema;
const exampleOf = (o: Op): unknown => jsonBodyOf(o)?.example;

/** The JSON types a schema takes (empty when it takes anything). */
function typesOf(s: Schema): Set<string> {
  const own = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  const members = [...(s.anyOf ?? []), ...(s.oneOf ?? [])].map((m) => [...typesOf(m)]);
  const enums = (s.enum ?? []).map((v) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v));
  if (members.some((m) => m.length === 0)) return new Set();
  return new Set([...own, ...members.flat(), ...enums]);
}

/** A value of none of `types`. */
function wrongValue(types: Set<string>): unknown {
  const candidates: [string, unknown][] = [['boolean', true], ['string', 'x'], ['number', 12.5], ['array', []], ['object', {}]];
  return candidates.find(([type]) => !types.has(type))?.[1];
}

/** The body schemas to make bad bodies from, each with its example: the schema, or each member of a union (task kinds) that has one. */
function bodyForms(schema: Schema): { schema: Schema; example: unknown }[] {
  const members = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].filter((m) => m.example !== undefined);
  return members.length > 0 ? members.map((m) => ({ schema: m, example: m.example })) : [{ schema, example: schema.example }];
}

/** Bodies each wrong in one field: a required one missing, or one of the wrong type; nested objects of the example too. */
function badBodies(schema: Schema, example: Record<string, unknown>, at = ''): { field: string; body: Record<string, unknown> }[] {
  const out: { field: string; body: Record<string, unknown> }[] = [];
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const field = `${at}${name}`;
    if (schema.required?.includes(name)) {
      const { [name]: _missing, ...rest } = example;
      out.push({ field, body: rest });
    }
    const types = typesOf(prop);
    if (types.size > 0) out.push({ field, body: { ...example, [name]: wrongValue(types) } });
    const inner = example[name];
    if (prop.properties && typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
      for (const bad of badBodies(prop, inner as Record<string, unknown>, `${field}.`)) out.push({ field: bad.field, body: { ...example, [name]: bad.body } });
    }
  }
  return out;
}

describe('REST API: the OpenAPI document, walked', function () {
  this.timeout(180_000);
  let t: TestAcs;
  let doc: Doc;
  const tokens = {} as Record<Scope, string>;

  before(async () => {
    t = await startTestAcs('nbi_openapi');
    for (const scope of ['read', 'write', 'admin'] as const) tokens[scope] = await newToken(t.acs.store, scope);
    // Something for every kind of write to change, were it let through.
    await t.acs.store.setTags(DEVICE, ['lab'], []);
    await t.acs.store.setCpeCredentials(DEVICE, { username: 'cpe', password: 'secret' });
    assert.equal((await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url: 'http://127.0.0.1:9/hook', events: ['device.boot'] }) })).status, 201);
    const r = await fetch(`${t.nbiUrl}/openapi.json`, withToken(tokens.read));
    assert.equal(r.status, 200);
    doc = (await r.json()) as Doc;
  });
  after(async () => {
    await t?.stop();
  });

  async function call(o: Op, token: string | null, init: { query?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> {
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    const request = { method: o.method, body, headers: { 'Content-Type': 'application/json', ...init.headers } };
    const r = await fetch(`${t.nbiUrl}${concrete(o)}${init.query ?? ''}`, token ? withToken(token, request) : request);
    return { status: r.status, body: (await r.json().catch(() => ({}))) as Answer['body'] };
  }

  /** A fingerprint of every stored row but the audit log's (refusals are audited) and the tokens' (last use). */
  async function stored(): Promise<string> {
    const hash = createHash('sha256');
    await t.acs.store.sql.autocommit(async (db) => {
      const tables = await db.select("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name");
      for (const { name } of tables) {
        if (['audit_log', 'api_tokens'].includes(String(name))) continue;
        hash.update(`${String(name)}:${JSON.stringify(await db.select(`SELECT * FROM \`${String(name)}\``))}`);
      }
    });
    return hash.digest('hex');
  }

  it('is a valid OpenAPI 3.1 document whose every $ref resolves; only a token may read it', async () => {
    assert.equal((await fetch(`${t.nbiUrl}/openapi.json`)).status, 401);
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as never);
    assert.ok(result.valid, JSON.stringify(result.errors, null, 1)?.slice(0, 2000));
    assert.equal(validator.version, '3.1');
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.ok(doc.info.title && doc.info.version);
    assert.deepEqual(Object.keys(doc.components.securitySchemes), ['bearer']);
    for (const o of operations(doc)) {
      assert.ok(Object.keys(o.op.responses).length > 0, `${o.method} ${o.path} has responses`);
      if (['/health', '/ready', '/sign-in'].includes(o.path)) assert.deepEqual(o.op.security, [], `${o.path} is anonymous (a load balancer's probe, the web UI's sign-in)`);
      else assert.ok(['read', 'write', 'admin'].includes(String(o.op['x-acs-scope'])), `${o.method} ${o.path} names its scope`);
    }
    const refs: string[] = [];
    JSON.stringify(doc, (key, value: unknown) => (key === '$ref' && refs.push(String(value)), value));
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      assert.match(ref, /^#\//, ref);
      const target = ref.slice(2).split('/').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
      assert.ok(target !== undefined, `${ref} resolves`);
    }
  });

  it('documents every route served, with its methods, and serves every route documented', () => {
    const served = new Set(t.acs.nbiRoutes.flatMap((r) => r.methods.map((m) => `${m} ${r.path.replace(/:(\w+)/g, '{$1}')}`)));
    const documented = new Set(operations(doc).map((o) => `${o.method} ${o.path}`));
    for (const route of documented) assert.ok(served.has(route), `${route} is documented but not served`);
    assert.deepEqual([...served].filter((r) => !documented.has(r)), [], 'served but not documented');
    assert.ok(documented.size >= 40, `${documented.size} operations`);
  });

  it('refuses every operation to an anonymous request (401) and to a token below its scope (403), and nothing changes', async () => {
    const before = await stored();
    let refusals = 0;
    for (const o of operations(doc).filter((x) => x.op['x-acs-scope'])) {
      const body = exampleOf(o) ?? (o.method === 'GET' ? undefined : {});
      const anonymous = await call(o, null, { body });
      assert.equal(anonymous.status, 401, `${o.method} ${o.path} anonymous`);
      assert.equal(anonymous.body.code, 'ACS_ERR_TOKEN');
      for (const lower of LOWER[o.op['x-acs-scope'] as Scope]) {
        const r = await call(o, tokens[lower], { body });
        assert.equal(r.status, 403, `${o.method} ${o.path} with a ${lower} token`);
        assert.equal(r.body.code, 'ACS_ERR_FORBIDDEN');
        refusals++;
      }
    }
    assert.ok(refusals >= 30, `${refusals} refusals for scope`);
    assert.equal(await stored(), before);
  });

  it('answers 405 naming the methods a path takes for every other method, and refuses every JSON body over 1 MiB (413) or not JSON (400), nothing stored', async () => {
    const before = await stored();
    let wrongMethods = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      const taken = Object.keys(ops).map((m) => m.toUpperCase());
      const o = operations(doc).find((x) => x.path === path) as Op;
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !taken.includes(m))) {
        const r = await fetch(`${t.nbiUrl}${concrete(o)}`, withToken(tokens.admin, { method, body: method === 'GET' ? undefined : '{}', headers: { 'Content-Type': 'application/json' } }));
        const body = (await r.json()) as Answer['body'];
        assert.equal(r.status, 405, `${method} ${path}`);
        assert.equal(body.code, 'ACS_ERR_METHOD_NOT_ALLOWED', `${method} ${path}`);
        const allow = (r.headers.get('allow') ?? '').split(', ');
        for (const m of taken) assert.ok(allow.includes(m), `${method} ${path}: Allow ${allow.join(', ')} lacks ${m}`);
        wrongMethods++;
      }
    }
    assert.ok(wrongMethods >= 100, `${wrongMethods} wrong methods`);
    const jsonBodies = operations(doc).filter((x) => jsonBodyOf(x));
    for (const o of jsonBodies) {
      const huge = await call(o, tokens.admin, { body: { ...(exampleOf(o) as object), pad: 'x'.repeat(1024 * 1024) } });
      assert.equal(huge.status, 413, `${o.method} ${o.path} over 1 MiB`);
      assert.equal(huge.body.code, 'ACS_ERR_BODY_TOO_LARGE', `${o.method} ${o.path}`);
      const r = await fetch(`${t.nbiUrl}${concrete(o)}`, withToken(tokens.admin, { method: o.method, body: '{"cut": ', headers: { 'Content-Type': 'application/json' } }));
      const broken = (await r.json()) as Answer['body'];
      assert.equal(r.status, 400, `${o.method} ${o.path} not JSON`);
      assert.match(broken.error ?? '', /body is not JSON/, `${o.method} ${o.path}`);
    }
    assert.ok(jsonBodies.length >= 20, `${jsonBodies.length} operations with a JSON body`);
    assert.equal(await stored(), before);
  });

  it('refuses a body missing a required field or with a field of the wrong type: 400 naming the field, nothing stored', async () => {
    const before = await stored();
    let tried = 0;
    for (const o of operations(doc).filter((x) => jsonBodyOf(x))) {
      assert.ok(exampleOf(o) !== undefined, `${o.method} ${o.path}: its body schema has an example`);
      const bad = bodyForms(jsonBodyOf(o)!).flatMap(({ schema, example }) => {
        assert.ok(example !== null && typeof example === 'object', `${o.method} ${o.path}: an example of ${JSON.stringify(schema).slice(0, 80)}`);
        return badBodies(schema, example as Record<string, unknown>);
      });
      assert.ok(bad.length > 0, `${o.method} ${o.path}: bad bodies made`);
      for (const { field, body } of bad) {
        const r = await call(o, tokens.admin, { body });
        const what = `${o.method} ${o.path} ${JSON.stringify(body)}`;
        assert.equal(r.status, 400, what);
        assert.equal(r.body.code, 'ACS_ERR_BAD_REQUEST', what);
        assert.equal(r.body.field, `body.${field}`, what);
        assert.ok(r.body.error?.includes(field), `${what}: "${r.body.error}" names ${field}`);
        tried++;
      }
    }
    assert.ok(tried >= 40, `${tried} bad bodies`);
    assert.equal(await stored(), before);
  });

  it('refuses a field or a query parameter no schema names (a misspelt one is not dropped): 400 naming it, nothing stored', async () => {
    const before = await stored();
    let tried = 0;
    for (const o of operations(doc)) {
      const example = exampleOf(o);
      const attempts: { what: string; field: string; query?: string; body: unknown }[] = [{ what: 'query', field: 'query.x_unknown', query: '?x_unknown=1', body: example }];
      if (example !== null && typeof example === 'object' && !Array.isArray(example)) attempts.push({ what: 'body', field: 'body.x_unknown', body: { ...example, x_unknown: 1 } });
      for (const a of attempts) {
        const r = await call(o, tokens.admin, { query: a.query, body: a.body });
        const what = `${o.method} ${o.path} (${a.what})`;
        assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.field, a.field, what);
        assert.match(r.body.error ?? '', /x_unknown is not a known field/, what);
        tried++;
      }
    }
    assert.ok(tried >= 100, `${tried} unknown fields`);
    // Inside an object too: an order's device by a misspelt "serial" is not an order for any device.
    const orders = operations(doc).find((o) => o.method === 'POST' && o.path === '/orders');
    assert.ok(orders);
    const typo = { ...(exampleOf(orders) as Record<string, unknown>), device: { serial: 'SN0001' } };
    const r = await call(orders, tokens.admin, { body: typo });
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'body.device.serial');
    assert.equal(r.body.error, 'device.serial is not a known field');
    assert.equal(await stored(), before);
  });

  it('refuses a body sent to an operation that takes none: 400 naming body, nothing stored; an empty one or {} is none', async () => {
    const before = await stored();
    const bodiless = operations(doc).filter((o) => !o.op.requestBody && o.method !== 'GET');
    for (const o of bodiless) {
      const r = await call(o, tokens.admin, { body: { x_unknown: 1 } });
      const what = `${o.method} ${o.path}`;
      assert.equal(r.status, 400, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.field, 'body', what);
      assert.match(r.body.error ?? '', /takes no body$/, what);
    }
    assert.ok(bodiless.length >= 10, `${bodiless.length} operations without a body`);
    assert.equal(await stored(), before);
    // {} is no body: the operation does its work.
    const enable = bodiless.find((o) => o.method === 'POST' && o.path === '/webhooks/{id}/enable');
    assert.ok(enable, bodiless.map((o) => o.path).join(' '));
    assert.equal((await call(enable, tokens.admin, { body: {} })).status, 200);
  });

  it('refuses a query parameter of the wrong type or given twice: 400 naming it, nothing stored', async () => {
    const before = await stored();
    let tried = 0;
    for (const o of operations(doc)) {
      for (const p of (o.op.parameters ?? []).filter((x) => x.in === 'query')) {
        const types = typesOf(p.schema);
        const once = types.has('integer') || types.has('number') ? 'not-a-number' : p.schema.enum ? 'not-one-of-them' : undefined;
        const queries = [`?${p.name}=a&${p.name}=b`, ...(once ? [`?${p.name}=${once}`] : [])];
        for (const query of queries) {
          const r = await call(o, tokens.admin, { query, body: exampleOf(o) });
          const what = `${o.method} ${o.path}${query}`;
          assert.equal(r.status, 400, what);
          assert.equal(r.body.field, `query.${p.name}`, what);
          assert.ok(r.body.error?.startsWith(`query parameter ${p.name} `), `${what}: ${r.body.error}`);
          tried++;
        }
      }
    }
    assert.ok(tried >= 30, `${tried} bad queries`);
    assert.equal(await stored(), before);
  });

  it('refuses a header parameter longer than its maxLength: 400 naming it, nothing stored', async () => {
    const before = await stored();
    let tried = 0;
    for (const o of operations(doc)) {
      for (const p of (o.op.parameters ?? []).filter((x) => x.in === 'header' && x.schema.maxLength !== undefined)) {
        const r = await call(o, tokens.admin, { body: exampleOf(o), headers: { [p.name]: 'k'.repeat(p.schema.maxLength! + 1) } });
        const what = `${o.method} ${o.path} ${p.name}`;
        assert.equal(r.status, 400, what);
        assert.equal(r.body.field, `header.${p.name}`, what);
        assert.ok(r.body.error?.startsWith(`${p.name} header `), `${what}: ${r.body.error}`);
        tried++;
      }
    }
    assert.ok(tried >= 1, `${tried} long headers`);
    assert.equal(await stored(), before);
  });
});
