/**
 * The OpenAPI 3.1 document of the REST API, made from the routes' own
 * schemas (route.ts) when the app starts, and served at GET /openapi.json
 * (scope read, like any read). JSON Schema 2020-12, zod's output, is
 * OpenAPI 3.1's schema language: the schemas go in as zod gives them.
 * Routes of plain routers (not yet described) are not in it.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { ANONYMOUS, scopeFor } from '../auth/guard';
import { apiRouter, defineRoute, describedRoutes, pathNames, type ApiRoute } from './route';

type Json = Record<string, unknown>;

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error', 'code'],
  properties: {
    error: { type: 'string', description: 'what is wrong, naming the field at fault' },
    code: { type: 'string', description: 'a stable ACS_ERR_* code' },
    field: { type: 'string', description: 'on a 400 from a schema: the field at fault, as body.<path>, query.<name>, path.<name> or header.<name>' },
  },
};

const ERRORS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
};

const errorAnswer = (description: string): Json => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

/** Path, query and header parameters: one per property of the route's schemas (path ones are strings when undescribed). */
function parameters(route: ApiRoute): Json[] {
  const of = (schema: z.ZodType | undefined, where: 'path' | 'query' | 'header', names: string[]): Json[] => {
    const s = schema ? jsonSchema(schema) : {};
    const props = (s.properties ?? {}) as Record<string, Json>;
    const required = new Set((s.required ?? []) as string[]);
    return (where === 'path' ? names : Object.keys(props)).map((name) => {
      const { description, ...p } = props[name] ?? { type: 'string' };
      return { name, in: where, required: where === 'path' || required.has(name), ...(description ? { description } : {}), schema: p };
    });
  };
  return [...of(route.params, 'path', pathNames(route.path)), ...of(route.query, 'query', []), ...of(route.headers, 'header', [])];
}

/** The body's media types: JSON as `body` checks it, text ones as strings, a streamed one as bytes (no schema, as OpenAPI 3.1 has it). */
function requestBody(route: ApiRoute): Json | undefined {
  const content: Json = {};
  if (route.body) content['application/json'] = { schema: jsonSchema(route.body) };
  for (const type of route.textBody?.types ?? []) content[type] = { schema: { type: 'string' } };
  if (route.streamBody) content[route.streamBody] = {};
  return Object.keys(content).length > 0 ? { required: true, content } : undefined;
}

function operation(route: ApiRoute): Json {
  const anonymous = ANONYMOUS.has(route.path);
  const scope = anonymous ? null : scopeFor(route.method.toUpperCase(), route.path);
  const responses: Json = Object.fromEntries(Object.entries(route.responses).map(([status, description]) => [status, Number(status) >= 400 ? errorAnswer(description) : { description }]));
  const inputs = parameters(route);
  const body = requestBody(route);
  if (inputs.length > 0 || body) responses['400'] ??= { $ref: `#/components/responses/${ERRORS[400]}` };
  if (!anonymous) for (const status of [401, 403]) responses[status] = { $ref: `#/components/responses/${ERRORS[status]}` };
  return {
    operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(\w)/g, (_, c: string) => c.toUpperCase())}`,
    summary: route.summary,
    description: [route.description, scope && `Needs an API token of scope ${scope}.`].filter(Boolean).join('\n\n'),
    tags: [route.path.split('/')[1]],
    ...(anonymous ? { security: [] } : { 'x-acs-scope': scope }),
    ...(inputs.length > 0 ? { parameters: inputs } : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}

/** The document of `routes`. */
export function openApiDocument(routes: ApiRoute[]): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'ACS REST API', version: '1', description: 'The northbound API of the TR-069 ACS. Every route but /health needs `Authorization: Bearer <token>` (acs token create); scopes read < write < admin.' },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token (acs token create, or POST /tokens)' } },
      schemas: { Error: ERROR_SCHEMA },
      responses: {
        [ERRORS[400]]: errorAnswer('a path, query or header parameter or a body field is wrong: the message and `field` name it'),
        [ERRORS[401]]: errorAnswer('no API token, or an unknown or revoked one'),
        [ERRORS[403]]: errorAnswer('the token\'s scope is below the route\'s (x-acs-scope)'),
      },
    },
  };
}

/** GET /openapi.json: the document of the described routes of `routers` and of itself. */
export function openApiRouter(routers: Router[]): Router {
  const route = defineRoute({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    responses: { 200: 'the OpenAPI 3.1 document of the REST API' },
    handle: (ctx) => {
      ctx.body = document;
    },
  });
  const document = openApiDocument([...routers.flatMap((r) => describedRoutes(r) ?? []), route]);
  return apiRouter([route]);
}
