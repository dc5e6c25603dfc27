/**
 * The HTTP contract: the response shapes of every /api route the web application reads, in one place.
 *
 * Invariants:
 * - Types only, no runtime import: the web build (browser, no node types) and the server both import it,
 *   so nothing here may pull in node, DuckDB, Fastify or zod.
 * - The server's route handlers (src/server/*-routes.ts) declare these as their return types, so a server
 *   change of a response shape fails `tsc -p .` until the contract follows; the web's api/types.ts
 *   re-exports them, so the contract change then fails `tsc -p web` wherever a page relied on the old shape.
 * - test/browser/api-contract.test.ts checks the key sets against the server's own result types and, at
 *   run time, the keys of live responses.
 */
export type * from './explore.ts';
export type * from './anomalies.ts';
export type * from './measures.ts';
export type * from './screening.ts';
export type * from './parties.ts';
export type * from './access.ts';
export type * from './privacy.ts';
