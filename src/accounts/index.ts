export { accessSettings, DEFAULT_ACCESS_SETTINGS, type AccessSettings, type DownloadQuota } from './access-settings.ts';
export { AccountError, type AccountErrorKind } from './account-errors.ts';
export { accountService, ADMIN_ROLES, type Account, type AccountRequest, type AccountRequestOutcome, type AccountService, type Actor } from './account-service.ts';
export { sessionStore, tokenHash, type SessionRecord, type SessionStore } from './session-store.ts';
export { signInService, SignInRefusedError, SIGN_IN_REFUSED, type SignIn, type SignInResult, type SignInRefusal } from './sign-in.ts';
export { downloadQuotas, QuotaExceededError, QUOTA_LOCK_REASON, type AccountQuotaUsage, type DownloadCharge, type DownloadQuotas, type QuotaUsage } from './download-quota.ts';
export { hashPassword, verifyPassword, checkPasswordPolicy, WeakPasswordError, MIN_PASSWORD_LENGTH } from './password.ts';
export { accessServices, type AccessServices, type AccessOptions } from './access-services.ts';
