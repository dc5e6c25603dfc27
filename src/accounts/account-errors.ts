/**
 * Errors of the account workflow, each with the HTTP status it maps to at the edge. Messages say what
 * happened and what to do next; they name accounts (identifiers) but never passwords, tokens or data.
 */
export type AccountErrorKind = 'unauthorized' | 'locked' | 'suspended' | 'forbidden' | 'not_found' | 'conflict' | 'bad_request';

const STATUS: Record<AccountErrorKind, number> = {
  unauthorized: 401,
  locked: 423,
  suspended: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  bad_request: 400,
};

export class AccountError extends Error {
  readonly status: number;
  constructor(
    readonly kind: AccountErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'AccountError';
    this.status = STATUS[kind];
  }
}
