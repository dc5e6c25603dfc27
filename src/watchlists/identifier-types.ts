/**
 * Identifier types across lists: the labels OFAC writes in remarks and in SDN.XML `idType`, and the
 * free-form types of other lists, mapped onto one small vocabulary.
 *
 * Invariants:
 * - One vocabulary (lower snake case) for every list, so an IMO number from OFAC and one from an internal
 *   list or OpenSanctions compare equal later.
 * - A label not in the table is not an identifier: the fact stays in the remarks text and nothing is
 *   guessed from it ("Gender Male", "Organization Established Date ..." are facts, not identifiers).
 * - Longest label first, so "Diplomatic Passport" is not read as "Passport".
 */

/** Label as OFAC writes it (before the number) -> type. */
const OFAC_LABELS: readonly (readonly [string, string])[] = [
  ['Vessel Registration Identification IMO', 'imo'],
  ['Identification Number IMO', 'imo'],
  ['Company Number IMO', 'imo'],
  ['Vessel Registration Identification', 'imo'],
  ['MMSI', 'mmsi'],
  ['SWIFT/BIC', 'swift_bic'],
  ['Passport', 'passport'],
  ['Diplomatic Passport', 'passport'],
  ['Passport Booklet', 'passport'],
  ['Passport Booklet:', 'passport'],
  ['Travel Document Number', 'passport'],
  ['National ID No.', 'national_id'],
  ['Identification Number', 'national_id'],
  ['Cedula No.', 'national_id'],
  ['C.U.R.P.', 'national_id'],
  ['C.U.R.P. #', 'national_id'],
  ['D.N.I.', 'national_id'],
  ['Personal ID Card', 'national_id'],
  ["Citizen's Card Number", 'national_id'],
  ['Kenyan ID No.', 'national_id'],
  ['Turkish Identification Number', 'national_id'],
  ['Numero de Identidad', 'national_id'],
  ['National Foreign ID Number', 'national_id'],
  ['Tazkira National ID Card', 'national_id'],
  ['SSN', 'national_id'],
  ['I.F.E.', 'national_id'],
  ['Credencial electoral', 'national_id'],
  ['Electoral Registry No.', 'national_id'],
  ['Residency Number', 'national_id'],
  ['C.U.I.P.', 'national_id'],
  ['LE Number', 'national_id'],
  ['Refugee ID Card', 'national_id'],
  ["Driver's License No.", 'drivers_license'],
  ['Birth Certificate Number', 'birth_certificate'],
  ['Tax ID No.', 'tax_id'],
  ['R.F.C.', 'tax_id'],
  ['R.F.C. #', 'tax_id'],
  ['RFC', 'tax_id'],
  ['NIT #', 'tax_id'],
  ['RUC #', 'tax_id'],
  ['V.A.T. Number', 'tax_id'],
  ['C.U.I.T.', 'tax_id'],
  ['C.U.I.', 'tax_id'],
  ['RIF #', 'tax_id'],
  ['Italian Fiscal Code', 'tax_id'],
  ['Italian Fiscal Code:', 'tax_id'],
  ['US FEIN', 'tax_id'],
  ['RTN', 'tax_id'],
  ['C.I.F.', 'tax_id'],
  ['Numero Unico de Identificacao Tributaria (NUIT)', 'tax_id'],
  ['Registration Number', 'registration_number'],
  ['Registration ID', 'registration_number'],
  ['Business Registration Number', 'registration_number'],
  ['Business Registration Document #', 'registration_number'],
  ['Company Number', 'registration_number'],
  ['UK Company Number', 'registration_number'],
  ['Commercial Registry Number', 'registration_number'],
  ['Matricula Mercantil No', 'registration_number'],
  ['Folio Mercantil No.', 'registration_number'],
  ['Government Gazette Number', 'registration_number'],
  ['C.R. No.', 'registration_number'],
  ['Romanian C.R.', 'registration_number'],
  ['Legal Entity Number', 'registration_number'],
  ['Unified Social Credit Code (USCC)', 'registration_number'],
  ['United Social Credit Code Certificate (USCCC)', 'registration_number'],
  ['Economic Register Number (CBLS)', 'registration_number'],
  ['Trade License No.', 'registration_number'],
  ['Chamber of Commerce Number', 'registration_number'],
  ['Central Registration System Number', 'registration_number'],
  ['Istanbul Chamber of Comm. No.', 'registration_number'],
  ['Dubai Chamber of Commerce Membership No.', 'registration_number'],
  ['Business Number', 'registration_number'],
  ['Enterprise Number', 'registration_number'],
  ['Branch Unit Number', 'registration_number'],
  ['Public Registration Number', 'registration_number'],
  ['Certificate of Incorporation Number', 'registration_number'],
  ['Registered Charity No.', 'registration_number'],
  ['D-U-N-S Number', 'duns'],
  ['ISIN', 'isin'],
  ['BIK (RU)', 'bik'],
  ["Aircraft Manufacturer's Serial Number (MSN)", 'aircraft_serial_number'],
  ['Aircraft Serial Identification', 'aircraft_serial_number'],
  ['Aircraft Tail Number', 'aircraft_tail_number'],
  ['Aircraft Mode S Transponder Code', 'aircraft_mode_s'],
  ['Email Address', 'email'],
  ['Website', 'website'],
  ['Phone Number', 'phone'],
  ['Telephone', 'phone'],
  ['Telephone No.', 'phone'],
  ['Telephone:', 'phone'],
];

const BY_LENGTH = [...OFAC_LABELS].sort((a, b) => b[0].length - a[0].length);
const DIGITAL_CURRENCY = /^Digital Currency Address - ([A-Za-z0-9]+)$/;

export interface LabelledIdentifier {
  type: string;
  currency: string | null;
  /** The text after the label (number, country in parentheses, issue dates). */
  rest: string;
}

/**
 * Reads "<label> <rest>" (a remark fact) into its identifier type; null when the fact is not an identifier.
 */
export function matchOfacLabel(fact: string): LabelledIdentifier | null {
  const dc = /^Digital Currency Address - ([A-Za-z0-9]+)\s+(.+)$/.exec(fact);
  if (dc) return { type: 'digital_currency_address', currency: dc[1]!, rest: dc[2]! };
  for (const [label, type] of BY_LENGTH) {
    if (fact.length > label.length && fact.startsWith(label) && /\s/.test(fact[label.length]!)) {
      return { type, currency: null, rest: fact.slice(label.length).trim() };
    }
  }
  return null;
}

/** SDN.XML states label and number apart: `idType` "Digital Currency Address - XBT", `idNumber` "1abc...". */
export function ofacIdType(idType: string): { type: string; currency: string | null } | null {
  const dc = DIGITAL_CURRENCY.exec(idType.trim());
  if (dc) return { type: 'digital_currency_address', currency: dc[1]! };
  const t = idType.trim();
  const hit = OFAC_LABELS.find(([label]) => label === t);
  return hit ? { type: hit[1], currency: null } : null;
}

/** Free-form identifier types (internal CSV, FtM property names) onto the same vocabulary. */
const FREE_FORM: Readonly<Record<string, string>> = {
  imo: 'imo',
  imonumber: 'imo',
  mmsi: 'mmsi',
  swift: 'swift_bic',
  bic: 'swift_bic',
  swiftbic: 'swift_bic',
  swift_bic: 'swift_bic',
  passport: 'passport',
  passportnumber: 'passport',
  nationalid: 'national_id',
  national_id: 'national_id',
  idnumber: 'national_id',
  tax: 'tax_id',
  taxid: 'tax_id',
  tax_id: 'tax_id',
  taxnumber: 'tax_id',
  vat: 'tax_id',
  inn: 'tax_id',
  inncode: 'tax_id',
  registration: 'registration_number',
  registrationnumber: 'registration_number',
  registration_number: 'registration_number',
  ogrn: 'registration_number',
  ogrncode: 'registration_number',
  lei: 'lei',
  leicode: 'lei',
  callsign: 'call_sign',
  call_sign: 'call_sign',
  duns: 'duns',
  isin: 'isin',
};

export function normaliseIdentifierType(raw: string): string {
  const key = raw.trim().toLowerCase().replace(/[\s\-/.]+/g, '');
  return FREE_FORM[key] ?? (raw.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'other');
}
