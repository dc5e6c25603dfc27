/**
 * An analyst's merge or split, shared by the CLI and the HTTP API: check the parties in the caller's
 * scope, record the override (kept forever), and re-resolve so it shows when the caller may. The CLI
 * re-resolves in line (`applyOverride`: its user waits by choice); the server records (`recordOverride`)
 * and hands the re-resolution to a background job (resolution-jobs.ts) so a request never waits minutes.
 *
 * Invariants:
 * - The members named by an override are looked up through the caller's ScopedDb: a caller cannot merge or
 *   split (or learn of) a party outside their scope; both cases answer "no such party".
 * - Re-resolution rewrites the party tables of every provider and of payments too, so it runs only when the
 *   caller's scope covers every trade and every financial provider at row level. Otherwise the override is
 *   recorded and applied by the next full resolution (`parties resolve`, `screen --all`), and the answer
 *   says so (`resolution: null`) rather than rewriting trade parties under stale payment parties.
 */
import type { ControlStore } from '../control/index.ts';
import { grantFor, type ScopedDb } from '../query/index.ts';
import type { AnalyticalStore } from '../store/index.ts';
import { partyOverrides, type MemberRef, type PartyOverride } from './party-overrides.ts';
import { partyMembers } from './party-queries.ts';
import { resolveParties, type ResolutionResult } from './resolve-parties.ts';

export class OverrideLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OverrideLookupError';
  }
}

export type OverrideRequest =
  | { kind: 'merge'; a: string; b: string; note?: string | null | undefined }
  | { kind: 'split'; party: string; ref: string; note?: string | null | undefined };

export interface OverrideResult {
  override: PartyOverride;
  /** The re-resolution, or null when the caller's scope does not cover a full resolution. */
  resolution: ResolutionResult | null;
}

/** The member standing for a party in an override: the given ref, or the party's largest member. */
export async function memberRef(db: ScopedDb, party: string, ref?: string): Promise<MemberRef> {
  const mem = await partyMembers(db, party);
  if (!mem) throw new OverrideLookupError('no such party');
  const m = ref === undefined ? mem[0]! : mem.find((x) => x['ref'] === ref);
  if (!m) throw new OverrideLookupError('the party has no member with that reference');
  return { source: m['source'] as MemberRef['source'], provider: String(m['provider']), ref: String(m['ref']) };
}

/** Whether the caller's scope covers a full re-resolution (every trade and financial provider, row level). */
export function canResolve(db: ScopedDb): boolean {
  return (['trade', 'financial'] as const).every((c) => {
    const g = grantFor(db.scope, c);
    return !!g && g.level === 'row' && g.providers === '*';
  });
}

/** Looks the parties up in the caller's scope and records the override; resolves nothing. */
export async function recordOverride(control: ControlStore, db: ScopedDb, req: OverrideRequest, decidedBy: string): Promise<PartyOverride> {
  const ov = partyOverrides(control);
  let override: PartyOverride;
  if (req.kind === 'merge') {
    if (req.a === req.b) throw new OverrideLookupError('give two different parties');
    const a = await memberRef(db, req.a);
    const b = await memberRef(db, req.b);
    override = await ov.add({ kind: 'merge', a, b, partyA: req.a, partyB: req.b, note: req.note ?? null, decidedBy });
  } else {
    const a = await memberRef(db, req.party, req.ref);
    override = await ov.add({ kind: 'split', a, partyA: req.party, note: req.note ?? null, decidedBy });
  }
  return override;
}

/** Records the override and, when the scope covers it, re-resolves before answering. */
export async function applyOverride(deps: { store: AnalyticalStore; control: ControlStore }, db: ScopedDb, req: OverrideRequest, decidedBy: string): Promise<OverrideResult> {
  const override = await recordOverride(deps.control, db, req, decidedBy);
  const resolution = canResolve(db) ? await resolveParties(deps.store, db.scope, await partyOverrides(deps.control).list()) : null;
  return { override, resolution };
}
