/**
 * Routes are declared once with zod schemas; the declaration both registers the Fastify handler (which
 * validates the query with the schema) and contributes the route to the OpenAPI document, so the document
 * cannot drift from what the server accepts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { RoutePermission } from './auth-hook.ts';
import { z } from 'zod';

export interface ApiRoute<Q extends z.ZodType, B extends z.ZodType = z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  summary: string;
  /**
   * The permission a caller needs (a Cedar action of src/access/permissions.ts), checked before the handler
   * runs and listed in the OpenAPI document; 'public' only for sign-in, account requests, the sign-in page's settings and health.
   */
  permission: RoutePermission;
  query?: Q;
  /** JSON body schema for writes; the parsed body is the handler's fourth argument. */
  body?: B;
  /** A stricter per-client request limit than the global one (sign-in, account requests). */
  rateLimit?: { max: number; timeWindow: number };
  handler: (req: FastifyRequest, query: z.infer<Q>, reply: FastifyReply, body: z.infer<B>) => Promise<unknown>;
}

export function registerRoute<Q extends z.ZodType, B extends z.ZodType>(app: FastifyInstance, route: ApiRoute<Q, B>, guard: (permission: RoutePermission, pattern: string) => preHandlerAsyncHookHandler): void {
  app.route({
    method: route.method,
    url: route.path,
    preHandler: guard(route.permission, route.path),
    // Stricter limits (sign-in, account requests) count per client address whatever cookie is sent.
    // They run once the body is parsed, so a refused sign-in is audited with the name it tried (app.ts).
    ...(route.rateLimit ? { config: { rateLimit: { ...route.rateLimit, hook: 'preHandler', keyGenerator: (req: FastifyRequest) => `ip:${req.ip}` } } } : {}),
    handler: async (req, reply) => {
      const query = route.query ? route.query.parse(req.query) : ({} as z.infer<Q>);
      const body = route.body ? route.body.parse(req.body ?? {}) : (undefined as z.infer<B>);
      return route.handler(req, query, reply, body);
    },
  });
}

export function openApiDocument(routes: readonly ApiRoute<z.ZodType>[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const oaPath = r.path.replace(/:([a-zA-Z_]+)/g, '{$1}');
    const params: unknown[] = [];
    for (const m of r.path.matchAll(/:([a-zA-Z_]+)/g)) params.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
    if (r.query) {
      const js = z.toJSONSchema(r.query, { io: 'input' }) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
      for (const [name, schema] of Object.entries(js.properties ?? {})) {
        const { description, ...rest } = schema;
        params.push({ name, in: 'query', required: js.required?.includes(name) ?? false, description, schema: rest });
      }
    }
    paths[oaPath] ??= {};
    const body = r.body ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(r.body, { io: 'input' }) } } } } : {};
    paths[oaPath]![r.method.toLowerCase()] = {
      summary: r.summary,
      'x-permission': r.permission,
      ...(r.permission === 'public' ? { security: [] } : {}),
      parameters: params,
      ...body,
      responses: {
        '200': { description: 'OK' },
        '400': { description: 'The request is malformed; the message says which parameter' },
        '401': { description: 'No live session: sign in with POST /api/session' },
        '403': { description: 'The caller lacks the permission or the data is outside their scope' },
        '423': { description: 'The account is locked (failed sign-ins or download quota); an administrator must unlock it' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'parallax_session' } } },
    security: [{ session: [] }],
    info: { title: 'Parallax API', version, description: 'Trade transparency analysis. Every call is scoped to the caller and audited.' },
    paths,
  };
}

/** Keeps a route's query type while collecting routes of different query types in one list. */
export function defineRoute<Q extends z.ZodType, B extends z.ZodType = z.ZodType>(r: ApiRoute<Q, B>): ApiRoute<z.ZodType> {
  return r as unknown as ApiRoute<z.ZodType>;
}
