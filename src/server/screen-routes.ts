/**
 * Screening over HTTP: a name against the latest list versions the caller may read, and two names
 * against each other. Handlers are thin: validate, call the same functions the CLI calls through the
 * scoped query layer, audit. Audit details name the options given, never the names screened.
 */
import { z } from 'zod';
import type { Runtime } from '../runtime/index.ts';
import { audited } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { compareNames, MAX_LIMIT, SCREEN_TYPES, screenName } from '../screening/index.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';

const nameParam = (what: string) => z.string().trim().min(1).max(500).describe(what);
const typeParam = z.enum(SCREEN_TYPES).optional().describe(`what the name is: ${SCREEN_TYPES.join(', ')}`);

const screenQuery = z
  .object({
    name: nameParam('the name to screen'),
    type: typeParam,
    country: z.string().regex(/^[A-Za-z]{2}$/).optional().describe('ISO 3166 alpha-2 country linked to the name'),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional().describe(`candidates returned (1 to ${MAX_LIMIT}, default 10)`),
  })
  .strict();

const compareQuery = z.object({ a: nameParam('first name'), b: nameParam('second name'), type: typeParam }).strict();

export function screenRoutes(rt: Runtime): ApiRoute<z.ZodType>[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/screen',
      summary: 'Screen a name against the latest version of every watch list: scored candidates with explanations',
      permission: 'screening:search',
      query: screenQuery,
      handler: async (req, q: z.infer<typeof screenQuery>) =>
        audited(
          rt.audit,
          req.actor,
          'screen-name',
          `type=${q.type ?? 'any'} country=${q.country ? 'given' : 'none'}`,
          () => screenName(scopedDb(rt.store, req.scope), q.name, { type: q.type, country: q.country?.toUpperCase(), limit: q.limit }),
          (r) => ({ rowCount: r.results.length, objectIds: r.list_versions }),
        ),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/screen/compare',
      summary: 'Compare two names: score, match and explanation',
      permission: 'screening:search',
      query: compareQuery,
      handler: async (req, q: z.infer<typeof compareQuery>) =>
        audited(rt.audit, req.actor, 'screen-compare', `type=${q.type ?? 'any'}`, async () => compareNames(q.a, q.b, { type: q.type }), () => ({ rowCount: 1 })),
    }),
  ];
}
