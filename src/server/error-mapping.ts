/**
 * Known errors become precise 4xx answers at the edge; anything else is a bare 500. Messages of known
 * errors are built by our code and name fields, never values; unknown errors are logged by class name only
 * because their messages may carry SQL parameters or row values.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { ExploreSpecError, FilterSyntaxError } from '../explore/index.ts';
import { ScopeDeniedError } from '../query/index.ts';
import { InputError } from '../ingest/input-error.ts';
import { StoreInUseError } from '../store/index.ts';
import { DetectorParamError } from '../detect/index.ts';
import { AccountError, WeakPasswordError } from '../accounts/index.ts';
import { ExportTooLargeError } from './export-routes.ts';
import { RetentionError } from '../privacy/index.ts';

export function mapError(error: unknown): { status: number; body: { error: string; message?: string } } {
  if (error instanceof ZodError) {
    const first = error.issues[0];
    return { status: 400, body: { error: 'bad_request', message: `${first?.path.join('.') || 'request'}: ${first?.message ?? 'invalid'}` } };
  }
  if (error instanceof ExploreSpecError || error instanceof FilterSyntaxError || error instanceof DetectorParamError) return { status: 400, body: { error: 'bad_request', message: error.message } };
  if (error instanceof ExportTooLargeError) return { status: 400, body: { error: 'bad_request', message: error.message } };
  if (error instanceof AccountError) return { status: error.status, body: { error: error.kind, message: error.message } };
  if (error instanceof WeakPasswordError) return { status: 400, body: { error: 'bad_request', message: error.message } };
  if (error instanceof RetentionError) {
    const status = error.kind === 'not-found' ? 404 : error.kind === 'conflict' ? 409 : 400;
    return { status, body: { error: error.kind === 'invalid' ? 'bad_request' : error.kind === 'not-found' ? 'not_found' : 'conflict', message: error.message } };
  }
  if (error instanceof ScopeDeniedError) return { status: 403, body: { error: 'forbidden', message: error.message } };
  if (error instanceof InputError) return { status: 422, body: { error: 'bad_input', message: error.message } };
  if (error instanceof StoreInUseError) return { status: 503, body: { error: 'unavailable', message: 'the store is busy; try again' } };
  const fe = error as FastifyError;
  if (fe?.statusCode === 429) return { status: 429, body: { error: 'rate_limited', message: 'too many requests; wait a minute and retry' } };
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { error: 'bad_request', message: fe.code ?? 'bad request' } };
  }
  return { status: 500, body: { error: 'internal_error' } };
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = mapError(error);
  if (status >= 500) request.log.error({ errorClass: (error as Error)?.constructor?.name ?? 'unknown' }, 'unhandled error');
  void reply.status(status).send(body);
}
