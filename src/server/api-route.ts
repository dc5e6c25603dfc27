/**
 * Routes are declared once with zod schemas; the declaration both registers the Fastify handler (which
 * validates the query with the schema) and contributes the route to the OpenAPI document, so the document
 * cannot drift from what the server accepts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

export interface ApiRoute<Q extends z.ZodType> {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  summary: string;
  /** The permission a caller needs, as listed in the OpenAPI document. */
  permission: string;
  query?: Q;
  handler: (req: FastifyRequest, query: z.infer<Q>, reply: FastifyReply) => Promise<unknown>;
}

export function registerRoute<Q extends z.ZodType>(app: FastifyInstance, route: ApiRoute<Q>): void {
  app.route({
    method: route.method,
    url: route.path,
    handler: async (req, reply) => {
      const query = route.query ? route.query.parse(req.query) : ({} as z.infer<Q>);
      return route.handler(req, query, reply);
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
    paths[oaPath]![r.method.toLowerCase()] = {
      summary: r.summary,
      'x-permission': r.permission,
      parameters: params,
      responses: {
        '200': { description: 'OK' },
        '400': { description: 'The request is malformed; the message says which parameter' },
        '403': { description: 'The caller lacks the permission or the data is outside their scope' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Parallax API', version, description: 'Trade transparency analysis. Every call is scoped to the caller and audited.' },
    paths,
  };
}

/** Keeps a route's query type while collecting routes of different query types in one list. */
export function defineRoute<Q extends z.ZodType>(r: ApiRoute<Q>): ApiRoute<z.ZodType> {
  return r as unknown as ApiRoute<z.ZodType>;
}
