/**
 * Deployment settings of the security layer, with access.md's defaults. Tests shorten the timeouts and
 * quotas; nothing else reads the environment for them, so a deployment's settings are explicit.
 */
import type { Role } from '../access/index.ts';

export interface DownloadQuota {
  /** Rows a user may export or page through per 30 days. */
  readonly rows: number;
  readonly bytes: number;
}

export interface AccessSettings {
  readonly idleMs: number;
  readonly absoluteMs: number;
  readonly maxFailedSignIns: number;
  /** A training attestation is valid this long; past it the account is suspended until renewed. */
  readonly trainingValidDays: number;
  /** Review date given to a newly activated or renewed account. */
  readonly reviewPeriodDays: number;
  /** When true every session must state a purpose or case reference at sign-in (access.md, Purpose). */
  readonly requirePurpose: boolean;
  readonly quotas: Readonly<Record<Role, DownloadQuota>>;
  /** Sign-in and account-request attempts per client address per minute (on top of the per-account lockout). */
  readonly signInRatePerMinute: number;
  /** Requests per session (or per address when signed out) per minute. */
  readonly requestRatePerMinute: number;
}

const MB = 1024 * 1024;

export const DEFAULT_ACCESS_SETTINGS: AccessSettings = {
  idleMs: 15 * 60_000,
  absoluteMs: 8 * 3_600_000,
  maxFailedSignIns: 5,
  trainingValidDays: 365,
  reviewPeriodDays: 365,
  requirePurpose: false,
  signInRatePerMinute: 30,
  requestRatePerMinute: 6000,
  quotas: {
    investigator: { rows: 2_000_000, bytes: 2048 * MB },
    'customs-officer': { rows: 1_000_000, bytes: 1024 * MB },
    'partner-analyst': { rows: 200_000, bytes: 256 * MB },
    executive: { rows: 100_000, bytes: 64 * MB },
    auditor: { rows: 100_000, bytes: 256 * MB },
    administrator: { rows: 10_000, bytes: 16 * MB },
    'security-administrator': { rows: 100_000, bytes: 256 * MB },
    'master-administrator': { rows: 10_000, bytes: 16 * MB },
  },
};

export function accessSettings(over: Partial<AccessSettings> = {}): AccessSettings {
  return { ...DEFAULT_ACCESS_SETTINGS, ...over, quotas: { ...DEFAULT_ACCESS_SETTINGS.quotas, ...(over.quotas ?? {}) } };
}
