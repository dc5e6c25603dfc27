/**
 * The data directory holds password hashes and sessions (control.sqlite), every loaded row (parallax.duckdb),
 * their write-ahead logs and the keys: only the account that runs Parallax may read any of it.
 *
 * Invariants:
 * - The directory is created 0700 and tightened to 0700 if it exists; every regular file in it (and in its
 *   `keys` directory) is tightened to 0600 at open, so a data directory created by an older version is fixed too.
 * - The process creates files with umask 077 from then on, so files the engines create later (write-ahead
 *   logs, SQLite's -wal and -shm, DuckDB's spill directory, report archives, audit checkpoints) are 0600 and
 *   directories 0700 whatever the caller's umask. Exports written with --out get the same mode: they hold the
 *   same data. (A worker thread cannot set the umask; the explicit modes and the chmod at open still apply.)
 */
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

export function securePermissions(): void {
  try {
    process.umask(0o077);
  } catch {
    /* worker threads cannot change the umask; the chmods below still hold for what exists */
  }
}

/** Creates the directory 0700 (or tightens it) and tightens the files already in it. */
export function secureDataDir(dir: string): void {
  securePermissions();
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir);
}

/** Tightens the directory, its regular files and its keys directory (call again after the stores created theirs). */
export function tighten(dir: string): void {
  chmodSync(dir, PRIVATE_DIR_MODE);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isFile()) chmodSync(p, PRIVATE_FILE_MODE);
    else if (st.isDirectory() && (name === 'keys' || name.endsWith('.tmp'))) {
      chmodSync(p, PRIVATE_DIR_MODE);
      // Public keys (*.pub) may stay readable: they verify, they do not sign.
      for (const f of readdirSync(p)) if (!f.endsWith('.pub') && statSync(join(p, f)).isFile()) chmodSync(join(p, f), PRIVATE_FILE_MODE);
    }
  }
}

