/**
 * Typed request context: who is asking and what they may read, attached to every request before any
 * route runs. Module augmentation makes `request.principal` and `request.scope` typed everywhere.
 */
import type { Scope } from '../query/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: string;
    role: string | null;
    scope: Scope;
  }
}

export {};
