/**
 * Every command runs through here: open the runtime for --data, run, close, and turn known errors into a
 * one-line message with what to do and a meaningful exit code. Unknown errors print their class only.
 */
import { ZodError } from 'zod';
import { openControlRuntime, openRuntime, type ControlRuntime, type Runtime } from '../runtime/index.ts';
import { InputError } from '../ingest/input-error.ts';
import { ExploreSpecError, FilterSyntaxError } from '../explore/index.ts';
import { ScopeDeniedError } from '../query/index.ts';
import { LayoutUpgradeError, StoreConfigError, StoreInUseError } from '../store/index.ts';
import { ProfileError } from '../profiles/index.ts';
import { EXIT } from './exit-codes.ts';
import { AccountError, WeakPasswordError } from '../accounts/index.ts';
import { RetentionError } from '../privacy/index.ts';

export class UsageError extends Error {}

export function exitCodeFor(e: unknown): { code: number; message: string } {
  if (e instanceof UsageError || e instanceof ExploreSpecError || e instanceof FilterSyntaxError || e instanceof ProfileError) {
    return { code: EXIT.usage, message: e.message };
  }
  if (e instanceof ZodError) return { code: EXIT.usage, message: e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  if (e instanceof InputError) return { code: EXIT.badInput, message: e.message };
  if (e instanceof StoreInUseError) return { code: EXIT.busy, message: e.message };
  if (e instanceof StoreConfigError) return { code: EXIT.usage, message: e.message };
  if (e instanceof LayoutUpgradeError) return { code: EXIT.usage, message: e.message };
  if (e instanceof ScopeDeniedError) return { code: EXIT.denied, message: e.message };
  if (e instanceof AccountError) return { code: e.kind === 'bad_request' || e.kind === 'not_found' || e.kind === 'conflict' ? EXIT.usage : EXIT.denied, message: e.message };
  if (e instanceof WeakPasswordError) return { code: EXIT.usage, message: e.message };
  if (e instanceof RetentionError) return { code: EXIT.usage, message: e.message };
  if (process.env['PARALLAX_DEBUG']) console.error(e);
  return {
    code: EXIT.failure,
    message: `internal error (${(e as Error)?.constructor?.name ?? 'unknown'}); set PARALLAX_DEBUG=1 to see details, and report it if it persists`,
  };
}

/**
 * Who a CLI command acts as, for the audit trail: the account named by PARALLAX_USER (whose policy scope the
 * runtime then applies), else the operating-system user, the custodian of the data directory.
 */
export function cliContext(): { principal: string; source: string } {
  return { principal: process.env['PARALLAX_USER'] || process.env['USER'] || 'local-operator', source: 'cli' };
}

export async function withRuntime<T>(opts: { data?: string | undefined }, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await openRuntime({ dataDir: opts.data, actAs: process.env['PARALLAX_USER'] || undefined });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

/** For commands that need only accounts and the audit trail: works while `serve` holds the analytical store. */
export async function withControlRuntime<T>(opts: { data?: string | undefined }, fn: (rt: ControlRuntime) => Promise<T>): Promise<T> {
  const rt = await openControlRuntime({ dataDir: opts.data });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      const { code, message } = exitCodeFor(e);
      process.stderr.write(`parallax: ${message}\n`);
      process.exitCode = code;
    }
  };
}
