// How identifiers are spelled in the written files. Tables carry integer keys; the text form is produced
// only when a file is written, by these expressions, so every file spells the same key the same way
// (labels.csv must point at exactly the declaration_id and payment_id found in the other files).

/** CBP-style entry number: filer code, 8-digit sequence (never truncated), check digit. */
export function declarationIdSql(d: string, filer: string): string {
  return `printf('%s-%08d-%d', ${filer}, ${d} + 1, ((${d} + 1) * 7 + 3) % 10)`;
}

export function invoiceRefSql(declarationId: string): string {
  return `('INV-' || ${declarationId})`;
}

export function paymentIdSql(pn: string): string {
  return `printf('PAY%09d', ${pn})`;
}

export function bicSql(bank: string, country: string, location: string, branch: string): string {
  return `(${bank} || ${country} || ${location} || ${branch})`;
}
