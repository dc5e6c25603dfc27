/**
 * Password hashing with argon2id (access.md), OWASP's minimum parameters: 19 MiB, 2 passes, 1 lane.
 *
 * Invariants: passwords and hashes never leave this module except the PHC string stored in `users`;
 * unknown accounts are checked against a fixed dummy hash so a sign-in for a name that does not exist takes
 * as long as one for a name that does (no account enumeration by timing).
 */
import { hash, verify, type Options } from '@node-rs/argon2';

// `Algorithm` is a const enum the type stripper cannot inline; 2 is Argon2id.
const OPTIONS: Options = { algorithm: 2 as Options['algorithm'], memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 12;

export class WeakPasswordError extends Error {
  constructor() {
    super(`password: at least ${MIN_PASSWORD_LENGTH} characters, not all the same character`);
    this.name = 'WeakPasswordError';
  }
}

export function checkPasswordPolicy(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > 1024 || new Set(password).size < 4) throw new WeakPasswordError();
}

export function hashPassword(password: string): Promise<string> {
  checkPasswordPolicy(password);
  return hash(password, OPTIONS);
}

/** A hash of a throw-away password with the same parameters, verified against when the account is unknown. */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$Xtc0y49pM5qcqqlEK/pXXw$id7uVsk80bZeE2D/A3gGF6N9M2l0yVX0lM4OksGdOBg';

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (!stored) {
    await verify(DUMMY_HASH, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
