/**
 * DDL for batch screening results in the analytical store; run at open, idempotently.
 *
 * Invariants:
 * - A hit discloses two things: a watch-list entry (watchlist data) and the name of a trading party (trade
 *   data, or financial data when the name comes from a payment). So the table is registered as 'watchlist'
 *   (no watchlist grant, no read) with a per-row category (`category` = 'trade' | 'financial', the source
 *   of `party_name`) and `provider` = the data provider of that name, exactly like party_members: a role
 *   with watch-list access but without trade access (or without that trade provider, or without financial
 *   access for a payment-only name) cannot read the party name through a hit. The list is `list_id`.
 * - `screening_subjects` keeps an MD5 of each screened name, never the name, so it discloses nothing the
 *   watchlist grant alone should not see.
 * - One hit per (list, party, entry): `hit_id` is derived from those three, so a hit keeps its id across
 *   list versions and re-screens, and an analyst decision on it keeps applying.
 * - A hit is never deleted: a removed or no-longer-matching entry retires it (`status = 'retired'`, with the
 *   version that retired it); a false-positive decision suppresses it while `entry_fingerprint` (the
 *   entry's name-relevant fields) is the one the decision saw.
 * - `list_version` is the version the score was computed against; `checked_version` the latest version the
 *   hit was confirmed to still stand in (an unchanged entry is not re-scored).
 * - `decision` mirrors the latest analyst decision on the hit (null when none). The control store's
 *   decisions are the record; the mirror is written with each decision and rebuilt in full at every batch
 *   screen (screening/decision-mirror.ts), so measures can join confirmed matches to trade in one engine.
 */
export const SCREENING_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS watchlist_hits (hit_id VARCHAR PRIMARY KEY, list_id VARCHAR NOT NULL,
     category VARCHAR NOT NULL, provider VARCHAR NOT NULL, party_id VARCHAR NOT NULL, party_name VARCHAR NOT NULL, party_country VARCHAR, entry_id VARCHAR NOT NULL,
     entry_type VARCHAR NOT NULL, entry_name VARCHAR NOT NULL, matched_name VARCHAR NOT NULL, weak_alias BOOLEAN NOT NULL,
     score DOUBLE NOT NULL, explanation JSON NOT NULL, algorithm_version VARCHAR NOT NULL, threshold DOUBLE NOT NULL,
     list_version VARCHAR NOT NULL, checked_version VARCHAR NOT NULL, entry_fingerprint VARCHAR NOT NULL,
     status VARCHAR NOT NULL, retired_version VARCHAR, first_run VARCHAR NOT NULL, last_run VARCHAR NOT NULL)`,
  // Added after the first release: stores created before it gain the column at open.
  `ALTER TABLE watchlist_hits ADD COLUMN IF NOT EXISTS decision VARCHAR`,
  // Which (party, name) subjects were screened against a list (provider = list id), so a re-screen knows
  // which parties are new; the name as its MD5 only.
  `CREATE TABLE IF NOT EXISTS screening_subjects (provider VARCHAR NOT NULL, party_id VARCHAR NOT NULL,
     name_md5 VARCHAR NOT NULL, first_run VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS screening_runs (run_id VARCHAR NOT NULL, seq INTEGER NOT NULL, provider VARCHAR NOT NULL,
     list_version VARCHAR NOT NULL, previous_version VARCHAR, mode VARCHAR NOT NULL, subjects BIGINT NOT NULL,
     candidates BIGINT NOT NULL, hits_open BIGINT NOT NULL, hits_new BIGINT NOT NULL, hits_retired BIGINT NOT NULL,
     hits_suppressed BIGINT NOT NULL, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP NOT NULL,
     principal VARCHAR NOT NULL, algorithm_version VARCHAR NOT NULL, threshold DOUBLE NOT NULL, PRIMARY KEY (run_id, provider))`,
];
