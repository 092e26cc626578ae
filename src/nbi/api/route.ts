/**
 * A REST route described once: its method, path, input schemas (zod) and
 * answers. The same schemas check every request before the handler runs (a
 * 400 naming the field otherwise) and make the route's part of the OpenAPI
 * document at GET /openapi.json (openapi.ts).
 *
 * Adopting it in a module: define the routes, and return `apiRouter(routes)`
 * where a plain @koa/router Router was returned; the NBI app mounts it as any
 * other and documents its routes.
 *
 *   defineRoute({
 *     method: 'get', path: '/things/:id', summary: 'One thing',
 *     params: z.object({ id: z.string() }),
 *     query: z.object({ limit: intQuery(1, 1000, 100) }),   // schemas.ts
 *     body: z.object({ name: z.string() }).meta({ example: { name: 'x' } }),
 *     responses: { 200: 'the thing', 404: 'no such thing' },
 *     handle: async (ctx, { params, query, body }) => { ctx.body = ... },
 *   })
 *
 * Path values are percent-decoded once from the raw captures (the router
 * would keep an undecodable one as it is). A schema's own `error` is its
 * message ("must be an integer from 1 to 1000"); otherwise messages.ts words
 * one. A transform may throw an AcsError: it answers as thrown (a check that
 * other callers share keeps its words). Give a body schema an `example` (and
 * path parameters whose plain string would be refused): the OpenAPI test
 * builds its requests from them.
 * `example`, not `examples`: zod leaves `examples` out of the input side of a
 * schema that transforms. The required scope is the guard's (auth/guard.ts),
 * not repeated here.
 *
 * Bodies other than JSON: `textBody` takes text in other media types (YAML,
 * a script), made into the JSON form that `body` checks; `streamBody` leaves
 * an upload unread for the handler to stream from ctx.req. Request headers
 * are described and checked as `headers`, keyed by the header's name.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { jsonBody, textBody } from '../json-body';
import { FieldError, firstIssue, predicate, unknownField, type Where } from './messages';
import { unknownKey } from './unknown-keys';
import { fieldOfMessage, type RequestParts } from './message-field';

export type Method = 'get' | 'post' | 'put' | 'delete';

/** A route's schemas and handler; P, Q, B and H are its path, query, body and header schemas. */
export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, H extends z.ZodObject> {
  method: Method;
  /** @koa/router's pattern: /devices/:id/tasks. */
  path: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  /** Keyed by header name (any case on the wire); an empty header counts as absent. */
  headers?: H;
  /** The JSON body; with `textBody`, also what the text is made into. */
  body?: B;
  /** Media types taken as text besides JSON (read as JSON bodies are, up to 1 MiB); others are refused with 400. */
  textBody?: { types: readonly string[]; fromText(text: string): z.input<B> };
  /** The media type of a body the layer leaves unread, for the handler to stream from ctx.req (an upload); no `body` then. */
  streamBody?: string;
  /** Status code → what that answer means. 400, 401 and 403 are added for every route. */
  responses: Record<number, string>;
  // Method syntax on purpose: a handler of parsed inputs must fit ApiRoute, whose inputs are unknown.
  handle(ctx: Context, input: { params: z.output<P>; query: z.output<Q>; headers: z.output<H>; body: z.output<B> }): Promise<void> | void;
}

/** A route whatever its schemas: what routers mount and the document lists. */
export type ApiRoute = RouteSpec<z.ZodType, z.ZodType, z.ZodType, z.ZodObject>;

type AnyParams = z.ZodRecord<z.ZodString, z.ZodString>;

export function defineRoute<P extends z.ZodType = AnyParams, Q extends z.ZodType = z.ZodObject, B extends z.ZodType = z.ZodUndefined, H extends z.ZodObject = z.ZodObject>(spec: RouteSpec<P, Q, B, H>): ApiRoute {
  return spec as ApiRoute;
}

/** The names of a pattern's path parameters, in order (/webhooks/:id/deliveries/:delivery → id, delivery). */
export function pathNames(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);
}

/** Whether a body's or a query's unknown fields are refused (ours) or ignored (GenieACS's API, whose clients send some). */
export type UnknownFields = 'refused' | 'ignored';

function check<S extends z.ZodType>(schema: S, value: unknown, where: Where, unknown: UnknownFields = 'refused'): z.output<S> {
  // First: a misspelt field is better named as such than as the required one it was meant to be.
  const extra = unknown === 'refused' && (where === 'body' || where === 'query') ? unknownKey(schema, value) : null;
  if (extra) throw unknownField(where, extra);
  const parsed = schema.safeParse(value, { error: predicate });
  if (!parsed.success) throw firstIssue(parsed.error, where);
  return parsed.data;
}

function pathValues(ctx: Context & { captures?: string[] }, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name, i) => {
    try {
      return [name, decodeURIComponent(ctx.captures?.[i] ?? '')];
    } catch {
      throw new FieldError('path', name, `path parameter ${name} is not valid percent-encoding`);
    }
  }));
}

function headerValues(ctx: Context, names: string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((name) => [name, ctx.get(name) || undefined]));
}

/** The body for `route.body` to check: JSON, or text of a `textBody` type made into the JSON form. */
async function bodyValue(ctx: Context, route: ApiRoute): Promise<unknown> {
  const text = route.textBody;
  if (text === undefined) return jsonBody(ctx);
  const type = ctx.request.type;
  if (text.types.includes(type)) return text.fromText(await textBody(ctx));
  if (type === 'application/json') return jsonBody(ctx);
  throw new FieldError('header', 'Content-Type', `Content-Type must be ${[...text.types, 'application/json'].join(', ')}, not ${type || 'none'}`);
}

const ANY_PARAMS = z.record(z.string(), z.string());
const NONE = z.object({});

/** Path, query, headers, then body: each checked by its schema, the body read only when the route takes one. */
async function inputOf(ctx: Context, route: ApiRoute, unknown: UnknownFields): Promise<Parameters<ApiRoute['handle']>[1]> {
  const params = check(route.params ?? ANY_PARAMS, pathValues(ctx, pathNames(route.path)), 'path');
  const query = check(route.query ?? NONE, ctx.query, 'query', unknown);
  const headers = check(route.headers ?? NONE, headerValues(ctx, Object.keys(route.headers?.shape ?? {})), 'header');
  if (!route.body && !route.streamBody && unknown === 'refused') await noBody(ctx);
  const body = route.body ? check(route.body, await bodyValue(ctx, route), 'body', unknown) : undefined;
  return { params, query, headers, body };
}

/** A route that takes no body refuses one (empty, {} or null is none): a request meant for another route says so rather than doing this one's work. */
async function noBody(ctx: Context): Promise<void> {
  if (!ctx.request.length && !ctx.get('Transfer-Encoding')) return;
  const text = (await textBody(ctx)).trim();
  if (text === '' || text === '{}' || text === 'null') return;
  throw new FieldError('body', '', `${ctx.method} ${ctx.path} takes no body`);
}

const described = new WeakMap<Router, ApiRoute[]>();

/** A router serving `routes`, each request checked by its route's schemas; a field they do not name is refused unless `unknown` says otherwise. */
export function apiRouter(routes: ApiRoute[], unknown: UnknownFields = 'refused'): Router {
  const router = new Router();
  for (const route of routes) {
    router[route.method](route.path, async (ctx) => {
      const input = await inputOf(ctx, route, unknown);
      try {
        await route.handle(ctx, input);
      } catch (err) {
        throw namingField(err, { ...input, schemas: route });
      }
    });
  }
  described.set(router, routes);
  return router;
}

/** A handler's 400 without a field, with the one its message names (message-field.ts), if any. */
function namingField(err: unknown, r: RequestParts): unknown {
  const e = err as { code?: unknown; field?: unknown; message?: unknown };
  if (e?.code !== 'ACS_ERR_BAD_REQUEST' || e.field !== undefined || typeof e.message !== 'string') return err;
  const field = fieldOfMessage(e.message, r);
  if (field === null) return err;
  const [where, ...path] = field.split('.');
  return new FieldError(where as Where, path.join('.'), e.message);
}

/** The routes of a router made by apiRouter; undefined for a plain one. */
export function describedRoutes(router: Router): ApiRoute[] | undefined {
  return described.get(router);
}
