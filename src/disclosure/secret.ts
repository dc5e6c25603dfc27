/**
 * The cell-key secret: the one value that turns row identities into record keys (cell-key.ts). It lives in a
 * file beside the audit signing key (`<data>/keys/cell-key.secret`, mode 0600), outside the database, so
 * a copy of the analytical store alone does not let anyone recompute record keys and strip the noise.
 *
 * Invariants: created once (62 random bits, never 0), atomically, never overwritten; every process that
 * opens the data directory reads the same value, so a cell shows the same perturbed value from the CLI, the
 * server and after a restart. Losing or replacing it redraws every cell's noise once, which hands a patient
 * user a second independent draw of each cell: back it up with the audit key and never rotate it lightly.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOnce } from '../audit/signing-key.ts';

export const CELL_KEY_SECRET_FILE = 'cell-key.secret';

export function loadOrCreateCellKeySecret(keyDir: string): bigint {
  const path = join(keyDir, CELL_KEY_SECRET_FILE);
  if (!existsSync(path)) {
    mkdirSync(keyDir, { recursive: true, mode: 0o700 });
    let v = 0n;
    // 62 bits keeps the value a positive BIGINT with room to spare; zero would make the key a plain hash.
    while (v === 0n) v = randomBytes(8).readBigUInt64BE() >> 2n;
    createOnce(path, `${v}\n`, 0o600);
  }
  const text = readFileSync(path, 'utf8').trim();
  if (!/^[1-9][0-9]{0,18}$/.test(text)) throw new Error(`${path}: not a cell-key secret (a positive whole number); restore it from the backup of the data directory's keys`);
  return BigInt(text);
}
