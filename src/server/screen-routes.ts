/**
 * Screening over HTTP: a name against the latest list versions the caller may read, and two names
 * against each other. Handlers are thin: validate, call the same functions the CLI calls through the
 * scoped query layer, audit. Audit details name the options given, never the names screened.
 *
 * Identifiers: `GET /api/screen?id=imo:9187629` (repeatable, as the CLI's `--id`), or `POST /api/screen` with
 * a JSON body `{ name?, type?, country?, limit?, identifiers: [{ type, value }] }` — the POST keeps names and
 * numbers out of URLs (and so out of proxy and access logs). A query needs a name, an identifier or both;
 * identifier types are the watch-list vocabulary (IDENTIFIER_TYPES) and a bad one answers 400 naming the
 * field. Audit details count identifier types, never values.
 */
import { z } from 'zod';
import type { Runtime } from '../runtime/index.ts';
import { audited } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { compareNames, IDENTIFIER_TYPES, IdentifierInputError, MAX_LIMIT, MAX_QUERY_IDS, parseIdentifierArg, queryIdentifier, SCREEN_TYPES, screenName, type QueryIdentifier, type ScreenType } from '../screening/index.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import type { CompareResult, ScreenResponse } from '../api-contract/index.ts';

const nameParam = (what: string) => z.string().trim().min(1).max(500).describe(what);
const typeParam = z.enum(SCREEN_TYPES).optional().describe(`what the name is: ${SCREEN_TYPES.join(', ')}`);

const TYPES_HELP = IDENTIFIER_TYPES.join(', ');

/** Zod issues carry the parser's message (it names the field and type, never the value). */
function checked<T>(ctx: z.RefinementCtx, f: () => T): T | typeof z.NEVER {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof IdentifierInputError)) throw e;
    ctx.addIssue({ code: 'custom', message: e.message });
    return z.NEVER;
  }
}

/** `id=TYPE:VALUE`, once or repeated (a query string repeats a key to give a list). */
const idParam = (what: string) =>
  z
    .union([z.string(), z.array(z.string()).max(MAX_QUERY_IDS)])
    .optional()
    .transform((v, ctx): QueryIdentifier[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => checked(ctx, () => parseIdentifierArg(x, what)) as QueryIdentifier)))
    .describe(`an identifier as TYPE:VALUE, repeatable (types: ${TYPES_HELP})`);

const identifierBody = z
  .object({ type: z.string().min(1).max(60).describe(`one of ${TYPES_HELP}`), value: z.string().min(1).max(200) })
  .strict()
  .transform((x, ctx) => checked(ctx, () => queryIdentifier(x.type, x.value, 'identifiers')) as QueryIdentifier);

const country = z.string().regex(/^[A-Za-z]{2}$/).optional().describe('ISO 3166 alpha-2 country linked to the name');
const limit = z.coerce.number().int().min(1).max(MAX_LIMIT).optional().describe(`candidates returned (1 to ${MAX_LIMIT}, default 10)`);
const optionalName = z.string().trim().max(500).optional().describe('the name to screen (may be left out when an identifier is given)');
const needsNameOrId = (q: { name?: string | undefined; ids: readonly QueryIdentifier[] }, ctx: z.RefinementCtx) => {
  if (!q.name && !q.ids.length) ctx.addIssue({ code: 'custom', path: ['name'], message: 'give a name, an identifier, or both' });
};

const screenQuery = z
  .object({ name: optionalName, type: typeParam, country, limit, id: idParam('id') })
  .strict()
  .transform((q) => ({ ...q, ids: q.id }))
  .superRefine(needsNameOrId);

const screenBody = z
  .object({
    name: optionalName,
    type: typeParam,
    country,
    limit: z.number().int().min(1).max(MAX_LIMIT).optional().describe(`candidates returned (1 to ${MAX_LIMIT}, default 10)`),
    identifiers: z.array(identifierBody).max(MAX_QUERY_IDS).optional().describe('identifiers of the screened party; an exact match is strong evidence'),
  })
  .strict()
  .transform((q) => ({ ...q, ids: q.identifiers ?? [] }))
  .superRefine(needsNameOrId);

const compareQuery = z
  .object({ a: nameParam('first name'), b: nameParam('second name'), type: typeParam, ida: idParam('ida'), idb: idParam('idb') })
  .strict();

interface ScreenInput {
  name?: string | undefined;
  type?: ScreenType | undefined;
  country?: string | undefined;
  limit?: number | undefined;
  ids: QueryIdentifier[];
}

const idDetail = (ids: readonly QueryIdentifier[]) => (ids.length ? ` ids=${[...new Set(ids.map((i) => i.type))].sort().join('+')}` : '');

export function screenRoutes(rt: Runtime): ApiRoute<z.ZodType>[] {
  const screen = (req: Parameters<ApiRoute<z.ZodType>['handler']>[0], q: ScreenInput): Promise<ScreenResponse> =>
    audited(
      rt.audit,
      req.actor,
      'screen-name',
      `type=${q.type ?? 'any'} country=${q.country ? 'given' : 'none'}${idDetail(q.ids)}`,
      () => screenName(scopedDb(rt.store, req.scope), q.name ?? '', { type: q.type, country: q.country?.toUpperCase(), identifiers: q.ids, limit: q.limit }),
      (r) => ({ rowCount: r.results.length, objectIds: r.list_versions }),
    );
  return [
    defineRoute({
      method: 'GET',
      path: '/api/screen',
      summary: 'Screen a name and/or identifiers (id=TYPE:VALUE) against the latest version of every watch list: scored candidates with explanations',
      permission: 'screening:search',
      query: screenQuery,
      handler: async (req, q: z.infer<typeof screenQuery>) => screen(req, q),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/screen',
      summary: 'Screen a name and/or identifiers ([{type, value}]) given in a JSON body, keeping them out of URLs',
      permission: 'screening:search',
      body: screenBody,
      handler: async (req, _q, _reply, b: z.infer<typeof screenBody>) => screen(req, b),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/screen/compare',
      summary: 'Compare two names: score, match and explanation',
      permission: 'screening:search',
      query: compareQuery,
      handler: async (req, q: z.infer<typeof compareQuery>): Promise<CompareResult> =>
        audited(rt.audit, req.actor, 'screen-compare', `type=${q.type ?? 'any'}${idDetail([...q.ida, ...q.idb])}`, async () => compareNames(q.a, q.b, { type: q.type, identifiersA: q.ida, identifiersB: q.idb }), () => ({
          rowCount: 1,
        })),
    }),
  ];
}
