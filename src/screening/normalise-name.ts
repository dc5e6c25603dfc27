/**
 * Normalisation of a name for screening: the one place where spelling noise is removed before comparison.
 *
 * Invariants:
 * - Pure and deterministic; no error for any input (an empty or unreadable name gives no tokens).
 * - Output tokens are upper-case ASCII letters and digits (digits are kept: vessel and company names carry
 *   numbers that tell entries apart).
 * - Company-form words (LLC, L.L.C., LTD, GMBH, SA DE CV, JSC, OOO ...) are separated from the core tokens,
 *   not deleted: they are weak evidence, and removing them lets "ACME LTD" meet "ACME LIMITED". A name
 *   that is nothing but such words keeps them as its core, so it never becomes empty.
 * - Stop words (THE, OF, AND, &, FOR) are dropped for the same reason; known abbreviations (INTL, MOHD,
 *   NATL ...) are expanded to one canonical spelling so both spellings compare as equal. The Arabic article
 *   as a word of its own (AL, EL) is dropped; so are titles (DR, SHEIKH, MULLAH, COLONEL ...) in names that
 *   may be persons; a vessel's Roman numerals become digits.
 * - "LAST, First" becomes "First LAST" for persons and for names of unknown type, unless what follows the
 *   comma is a company form ("ACME, INC."). Token comparison is order-free anyway; the reordering
 *   matters for the joined form and for display.
 * - `joined` is the core with spaces removed and `joinedAll` includes the company forms, so "JSC ARGUMENT"
 *   and "JSCARGUMENT" can be recognised as one name.
 */
import { transliterate } from './transliterate.ts';

export type ScreenType = 'person' | 'company' | 'vessel' | 'aircraft';

export interface NormalisedName {
  /** Informative tokens in name order (company forms and stop words removed). */
  tokens: string[];
  /** The company-form words found, in canonical spelling (LIMITED -> LTD). */
  forms: string[];
  /** Core tokens without spaces. */
  joined: string;
  /** All tokens, company forms included, in the order written, without spaces. */
  joinedAll: string;
}

/** Canonical spelling per company-form word; multi-word forms are matched as token sequences. */
const FORM_WORDS: Record<string, string> = {
  LLC: 'LLC', LTD: 'LTD', LIMITED: 'LTD', GMBH: 'GMBH', AG: 'AG', AKTIENGESELLSCHAFT: 'AG', SA: 'SA', SRL: 'SRL', BV: 'BV', NV: 'NV',
  JSC: 'JSC', OJSC: 'OJSC', PJSC: 'PJSC', CJSC: 'CJSC', OAO: 'OJSC', PAO: 'PJSC', ZAO: 'CJSC', OOO: 'LLC', TOO: 'LLP',
  CO: 'CO', COMPANY: 'CO', CORP: 'CORP', CORPORATION: 'CORP', INC: 'INC', INCORPORATED: 'INC', PLC: 'PLC',
  LLP: 'LLP', LP: 'LP', SPA: 'SPA', KG: 'KG', AS: 'AS', AB: 'AB', OY: 'OY', SAS: 'SAS', SARL: 'SARL',
  PTE: 'PTE', PVT: 'PVT', BHD: 'BHD', SDN: 'SDN', FZE: 'FZE', FZCO: 'FZCO', FZC: 'FZC', FZ: 'FZ', FZLLC: 'FZLLC',
  KFT: 'KFT', DOO: 'DOO', SRO: 'SRO', SPZOO: 'SPZOO', EOOD: 'EOOD', OOD: 'OOD', AD: 'AD', SAL: 'SAL',
  WLL: 'WLL', EST: 'EST', ESTABLISHMENT: 'EST', TOV: 'LLC', UAB: 'UAB', SE: 'SE', KK: 'KK',
};

/** Multi-word forms, longest first, matched at the end of the name. */
const FORM_PHRASES: readonly (readonly [readonly string[], string])[] = [
  [['S', 'DE', 'RL', 'DE', 'CV'], 'SDERLDECV'],
  [['SA', 'DE', 'CV'], 'SADECV'],
  [['S', 'DE', 'RL'], 'SDERL'],
  [['SP', 'Z', 'OO'], 'SPZOO'],
  [['PUBLIC', 'JOINT', 'STOCK', 'CO'], 'PJSC'],
  [['PUBLIC', 'JOINT', 'STOCK', 'COMPANY'], 'PJSC'],
  [['CLOSED', 'JOINT', 'STOCK', 'COMPANY'], 'CJSC'],
  [['OPEN', 'JOINT', 'STOCK', 'COMPANY'], 'OJSC'],
  [['JOINT', 'STOCK', 'COMPANY'], 'JSC'],
  [['LIMITED', 'LIABILITY', 'COMPANY'], 'LLC'],
  [['LIMITED', 'LIABILITY', 'PARTNERSHIP'], 'LLP'],
  [['GMBH', 'CO', 'KG'], 'GMBHCOKG'],
  [['FZ', 'LLC'], 'FZLLC'],
  [['SDN', 'BHD'], 'SDNBHD'],
  [['PVT', 'LTD'], 'PVTLTD'],
  [['PTE', 'LTD'], 'PTELTD'],
  [['CO', 'LTD'], 'COLTD'],
];

/** Forms that precede the name in Russian and CIS usage ("OOO ROMASHKA", "JSC ARGUMENT"). */
const LEADING_FORMS = new Set(['JSC', 'OJSC', 'PJSC', 'CJSC', 'OAO', 'PAO', 'ZAO', 'OOO', 'TOO', 'TOV', 'AO', 'PT', 'UAB']);

/** Ship-type prefixes (motor vessel, motor tanker ...): not part of the name, only for type vessel. */
const VESSEL_PREFIXES: readonly (readonly [readonly string[], string])[] = [
  [['M', 'V'], ''], [['M', 'T'], ''], [['MV'], ''], [['MT'], ''], [['SS'], ''], [['FV'], ''], [['F', 'V'], ''],
];

const STOP_WORDS = new Set(['THE', 'OF', 'AND', 'FOR']);

/**
 * Titles and honorifics written before or inside a person's name (Dr., Sheikh, Mullah, Colonel ...): not part
 * of the name, so "ZUMAR, Colonel Abbud" meets "ZUMAR, Abbud". Dropped for persons and names of unknown type.
 */
const TITLES = new Set([
  'DR', 'MR', 'MRS', 'MS', 'MISS', 'PROF', 'SHEIKH', 'SHAIKH', 'SHAYKH', 'SHEIKHA', 'SHEIKHY', 'SHEIKY', 'MULLAH', 'MULLA', 'MAULANA', 'MAWLANA', 'MAULVI',
  'MAWLAWI', 'HAJI', 'HAJJI', 'ALHAJI', 'COLONEL', 'COL', 'GENERAL', 'GEN', 'CAPTAIN', 'CAPT', 'MAJOR', 'LIEUTENANT', 'LT', 'QARI', 'IMAM',
]);

/**
 * The Arabic article written as a word of its own ("AL-QUDS", "EL TILEMSI"): lists write it, drop it or glue
 * it, so it is not evidence either way and is dropped (unless it is all there is).
 */
const ARTICLES = new Set(['AL', 'EL']);

/** Roman numerals as vessel lists write hull numbers ("SAM JONG I" is "SAM JONG 1"). */
const ROMAN_NUMERALS: Record<string, string> = { I: '1', II: '2', III: '3', IV: '4', V: '5', VI: '6', VII: '7', VIII: '8', IX: '9', X: '10' };

/** Abbreviations written both ways on lists and documents; value = canonical spelling. */
const ABBREVIATIONS: Record<string, string> = {
  INTL: 'INTERNATIONAL', INTERNATL: 'INTERNATIONAL', NATL: 'NATIONAL', MFG: 'MANUFACTURING',
  MFRS: 'MANUFACTURERS', IND: 'INDUSTRIES', INDS: 'INDUSTRIES', SVCS: 'SERVICES', SVC: 'SERVICE',
  TECH: 'TECHNOLOGY', BROS: 'BROTHERS', ENGG: 'ENGINEERING', GRP: 'GROUP',
  HLDGS: 'HOLDINGS', HLDG: 'HOLDING', INVT: 'INVESTMENT', MGMT: 'MANAGEMENT',
  TRDG: 'TRADING', ASSN: 'ASSOCIATION', ASSOC: 'ASSOCIATION', DEPT: 'DEPARTMENT',
  MOHD: 'MOHAMMED', MHD: 'MOHAMMED', MOHAMAD: 'MOHAMMED', ST: 'SAINT', MT: 'MOUNT', FT: 'FORT',
};

function isFormOnly(text: string): boolean {
  const toks = splitTokens(text);
  return toks.length > 0 && toks.every((t) => FORM_WORDS[t] !== undefined);
}

/** Upper-case ASCII tokens; dotted initialisms (S.A., L.L.C.) are glued first so they stay one word. */
function splitTokens(text: string): string[] {
  const ascii = transliterate(text)
    .toUpperCase()
    .replace(/&/g, ' AND ')
    .replace(/\b(?:[A-Z]\.){2,}(?:[A-Z]\b)?/g, (m) => m.replace(/\./g, ''))
    .replace(/['’‘`´]/g, '');
  return ascii.split(/[^A-Z0-9]+/).filter(Boolean);
}

export function normaliseScreeningName(raw: string, type?: ScreenType | 'other' | null): NormalisedName {
  let text = raw;
  const comma = text.indexOf(',');
  const maybePerson = type === undefined || type === null || type === 'person' || type === 'other';
  if (maybePerson && comma > 0 && text.indexOf(',', comma + 1) < 0) {
    const before = text.slice(0, comma);
    const after = text.slice(comma + 1);
    if (after.trim() && !isFormOnly(after) && !isFormOnly(before)) text = `${after} ${before}`;
  }
  const all = splitTokens(text);
  const forms: string[] = [];
  let core = all.slice();
  // Trailing company forms, repeatedly ("... CO., LTD." or "GMBH & CO. KG").
  for (let changed = true; changed && core.length > 1; ) {
    changed = false;
    for (const [phrase, canon] of FORM_PHRASES) {
      if (core.length > phrase.length && phrase.every((p, i) => core[core.length - phrase.length + i] === p)) {
        core = core.slice(0, core.length - phrase.length);
        forms.unshift(canon);
        changed = true;
        break;
      }
    }
    if (changed) continue;
    const last = core[core.length - 1]!;
    const canon = FORM_WORDS[last];
    if (canon !== undefined && core.length > 1) {
      core = core.slice(0, -1);
      forms.unshift(canon);
      changed = true;
    } else if (STOP_WORDS.has(last) && core.length > 1) {
      core = core.slice(0, -1);
      changed = true;
    }
  }
  // Leading forms: "PUBLIC JOINT STOCK COMPANY SBERBANK", "OOO ROMASHKA", and vessel prefixes (M/V, MT).
  for (let changed = true; changed && core.length > 1; ) {
    changed = false;
    for (const [phrase, canon] of [...FORM_PHRASES, ...(type === 'vessel' ? VESSEL_PREFIXES : [])]) {
      if (core.length > phrase.length && phrase.every((p, i) => core[i] === p)) {
        core = core.slice(phrase.length);
        if (canon) forms.push(canon);
        changed = true;
        break;
      }
    }
  }
  while (core.length > 1 && LEADING_FORMS.has(core[0]!)) {
    forms.unshift(FORM_WORDS[core[0]!] ?? core[0]!);
    core = core.slice(1);
  }
  const dropped = (t: string) => STOP_WORDS.has(t) || ARTICLES.has(t) || (maybePerson && TITLES.has(t));
  let tokens = core.filter((t) => !dropped(t)).map((t) => ABBREVIATIONS[t] ?? t);
  if (type === 'vessel') tokens = tokens.map((t) => ROMAN_NUMERALS[t] ?? t);
  if (!tokens.length) tokens = core.slice();
  return { tokens, forms, joined: tokens.join(''), joinedAll: all.join('') };
}
