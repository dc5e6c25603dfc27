/**
 * The Ed25519 key that signs audit checkpoints. It lives in files outside the database (default
 * `<dataDir>/keys`, or PARALLAX_AUDIT_KEY_DIR) so that write access to the database alone cannot forge a
 * checkpoint; put the directory where database administrators cannot write.
 *
 * Invariants: the private key file is created once, mode 0600, atomically (written to a temporary name and
 * hard-linked into place), so two processes creating it at the same moment end up with the same key; the
 * key id is the first 16 hex digits of the SHA-256 of the public key (SPKI DER), so a checkpoint names the
 * key that signed it. The private key never leaves this module except as a KeyObject. Other servers'
 * public keys may be placed next to this one (`*.pub`) so checkpoints they signed verify here too.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_KEY_FILE = 'audit-ed25519.key';
export const PUBLIC_KEY_FILE = 'audit-ed25519.pub';

export interface SigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export interface VerifyingKey {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  readonly publicKeyPem: string;
}

export function auditKeyDir(dataDir: string, explicit?: string): string {
  return explicit ?? process.env['PARALLAX_AUDIT_KEY_DIR'] ?? join(dataDir, 'keys');
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** Creates `path` with `content` unless it exists; never overwrites, never leaves a partial file. */
export function createOnce(path: string, content: string, mode: number): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, content, { mode, flag: 'wx' });
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
}

/** The signing key, created on first use. */
export function loadOrCreateSigningKey(dir: string): SigningKey {
  const keyPath = join(dir, PRIVATE_KEY_FILE);
  const pubPath = join(dir, PUBLIC_KEY_FILE);
  if (!existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    createOnce(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
  }
  const privateKey = createPrivateKey(readFileSync(keyPath));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`audit signing key ${keyPath} is not an Ed25519 key`);
  const publicKey = createPublicKey(privateKey);
  if (!existsSync(pubPath)) createOnce(pubPath, publicKey.export({ type: 'spki', format: 'pem' }) as string, 0o644);
  return { keyId: keyIdOf(publicKey), privateKey, publicKey };
}

/** The public key alone, for verifying; null when no key has been created yet. */
export function loadVerifyingKey(dir: string): VerifyingKey | null {
  const pubPath = join(dir, PUBLIC_KEY_FILE);
  if (!existsSync(pubPath)) return null;
  const publicKey = createPublicKey(readFileSync(pubPath));
  return { keyId: keyIdOf(publicKey), publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
}

/**
 * Every public key trusted for verifying: this host's `audit-ed25519.pub` plus any other `*.pub` in the
 * directory (the keys of other servers writing to the same PostgreSQL database), by key id.
 */
export function loadVerifyingKeys(dir: string): { local: VerifyingKey | null; byId: Map<string, VerifyingKey> } {
  const local = loadVerifyingKey(dir);
  const byId = new Map<string, VerifyingKey>();
  if (local) byId.set(local.keyId, local);
  if (!existsSync(dir)) return { local, byId };
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.pub') || f === PUBLIC_KEY_FILE) continue;
    try {
      const publicKey = createPublicKey(readFileSync(join(dir, f)));
      if (publicKey.asymmetricKeyType !== 'ed25519') continue;
      const k = { keyId: keyIdOf(publicKey), publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
      byId.set(k.keyId, k);
    } catch {
      // A file that is not a public key trusts nothing; verify then reports the checkpoints it cannot check.
    }
  }
  return { local, byId };
}
