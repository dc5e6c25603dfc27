/**
 * Broken list files, for every parser: wrong encoding, truncation, missing columns and elements, text
 * where a number belongs, XML bombs and external entities, huge lines, and files of another format.
 * Each must fail with an InputError naming file, line (or element line) and field, must not quote the
 * file's values, and must leave everything already stored exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../ingest/input-error.ts';
import { storeFingerprint, tempRuntime, type TempRuntime } from '../../test/temp-runtime.ts';
import { loadList } from './load-list.ts';

const F = resolve('test/fixtures/watchlists');
/** Planted in every broken record: an error message must never contain it. */
const SECRET = 'SECRETNAME';
let t: TempRuntime;

/** A file under the test's temp folder; OFAC sets need their own folder per case (sdn.csv is a fixed name). */
function file(rel: string, content: string | Buffer): string {
  const p = join(t.dir, 'files', rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, content);
  return p;
}

async function fingerprint(): Promise<string> {
  const parts = [await storeFingerprint(t.rt)];
  await t.rt.store.withWriteConnection(async (c) => {
    for (const table of ['watchlist_versions', 'watchlist_entries']) {
      const r = await c.runAndReadAll(`SELECT count(*)::VARCHAR, coalesce(sum(hash(x)), 0)::VARCHAR FROM ${table} x`);
      parts.push(`${table}:${r.getRows()[0]!.join('/')}`);
    }
  });
  return parts.join('|');
}

interface Expected {
  file?: string;
  line?: number | null;
  field?: string | null;
  problem: RegExp;
  hint?: RegExp;
}

async function expectRejected(paths: string | string[], format: string, want: Expected, opts: { publishDate?: string } = {}): Promise<InputError> {
  const before = await fingerprint();
  const started = Date.now();
  const err = await loadList({ store: t.rt.store }, Array.isArray(paths) ? paths : [paths], { format, ...opts }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'the load should have failed').toBeInstanceOf(InputError);
  const e = err as InputError;
  expect(e.problem).toMatch(want.problem);
  if (want.file !== undefined) expect(e.file).toBe(want.file);
  if (want.line !== undefined) expect(e.line).toBe(want.line);
  if (want.field !== undefined) expect(e.field).toBe(want.field);
  if (want.hint) expect(e.hint).toMatch(want.hint);
  expect(e.message).not.toContain(SECRET);
  expect(Date.now() - started, 'bad input must fail fast').toBeLessThan(10_000);
  expect(await fingerprint()).toBe(before);
  return e;
}

const NULLS = (n: number) => Array.from({ length: n }, () => '-0- ');
const sdnLine = (id: string, name: string, rest: string[] = NULLS(10)) => `${id},"${name}",${rest.join(',')}\r\n`;
const GOOD = sdnLine('1', 'ALPHA TRADING') + sdnLine('2', 'BETA TRADING');

beforeAll(async () => {
  t = await tempRuntime();
  // Something already stored, that no failed load may touch.
  await loadList({ store: t.rt.store }, [join(F, 'ofac-csv')], { format: 'ofac-csv' });
  await loadList({ store: t.rt.store }, [join(F, 'internal-list.csv')], { format: 'csv' });
});
afterAll(async () => t?.cleanup());

describe('OFAC legacy CSV', () => {
  it('wrong encoding: a Latin-1 byte, and a UTF-16 file', async () => {
    const latin1 = file('latin1/sdn.csv', Buffer.concat([Buffer.from(GOOD), Buffer.from(`3,"CAF\u00c9 ${SECRET}",${NULLS(10).join(',')}\r\n`, 'latin1')]));
    await expectRejected(latin1, 'ofac-csv', { line: 3, problem: /not valid UTF-8/ });
    const utf16 = file('utf16/sdn.csv', Buffer.from(`\uFEFF${GOOD}`, 'utf16le'));
    await expectRejected(utf16, 'ofac-csv', { line: 1, problem: /UTF-16/ });
    const noBom = file('utf16nobom/sdn.csv', Buffer.from(GOOD, 'utf16le'));
    await expectRejected(noBom, 'ofac-csv', { line: 1, problem: /NUL bytes/ });
  });

  it('a truncated file: inside a quoted remark, and at a field boundary', async () => {
    const inQuote = file('trunc1/sdn.csv', `${GOOD}3,"${SECRET}",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1 Jan 19`);
    await expectRejected(inQuote, 'ofac-csv', { line: 3, field: '#12', problem: /quoted field is not closed before the end of the file/, hint: /truncated/ });
    const atField = file('trunc2/sdn.csv', `${GOOD}3,"${SECRET}",-0- ,"SDGT"`);
    await expectRejected(atField, 'ofac-csv', { line: 3, problem: /has 4 fields; OFAC sdn\.csv has 12/ });
  });

  it('a missing column, in sdn.csv and in a side file', async () => {
    const short = file('short/sdn.csv', GOOD + sdnLine('3', SECRET, NULLS(9)));
    await expectRejected(short, 'ofac-csv', { line: 3, problem: /has 11 fields; OFAC sdn\.csv has 12/ });
    const sdn = file('alt-short/sdn.csv', GOOD);
    const alt = file('alt-short/alt.csv', `1,10,"aka","${SECRET}"\r\n`);
    await expectRejected([sdn, alt], 'ofac-csv', { file: alt, line: 1, problem: /has 4 fields; OFAC alt\.csv has 5/ });
  });

  it('text where a number belongs: ent_num, Tonnage', async () => {
    await expectRejected(file('ent/sdn.csv', GOOD + sdnLine('X12', SECRET)), 'ofac-csv', { line: 3, field: 'ent_num', problem: /not a whole number/ });
    const tonnage = [...NULLS(10)];
    tonnage[5] = '"heavy"';
    await expectRejected(file('ton/sdn.csv', GOOD + sdnLine('3', SECRET, tonnage)), 'ofac-csv', { line: 3, field: 'Tonnage', problem: /not a number/ });
  });

  it('an unknown SDN_Type, a stray end-of-file mark, a side file from another publication', async () => {
    const robot = [...NULLS(10)];
    robot[0] = '"robot"';
    await expectRejected(file('type/sdn.csv', GOOD + sdnLine('3', SECRET, robot)), 'ofac-csv', { line: 3, field: 'SDN_Type', problem: /not individual, vessel, aircraft/ });
    await expectRejected(file('sub/sdn.csv', `${sdnLine('1', 'A')}\u001a\r\n${sdnLine('2', SECRET)}`), 'ofac-csv', { line: 2, problem: /end-of-file mark/ });
    const sdn = file('orphan/sdn.csv', GOOD);
    const add = file('orphan/add.csv', `1,10,-0- ,"Dubai","United Arab Emirates",-0- \r\n99,11,"${SECRET} street",-0- ,-0- ,-0- \r\n`);
    await expectRejected([sdn, add], 'ofac-csv', { file: add, line: 2, field: 'ent_num', problem: /sdn\.csv does not hold/ });
  });

  it('a huge single line fails at the record limit, without reading it whole', async () => {
    const huge = file('huge/sdn.csv', `${GOOD}3,"${SECRET}${'A'.repeat(1_200_000)}",${NULLS(10).join(',')}\r\n`);
    await expectRejected(huge, 'ofac-csv', { line: 3, problem: /longer than 1024 KiB/ });
  });

  it('a file of another format', async () => {
    await expectRejected(join(F, 'un-consolidated-small.xml'), 'ofac-csv', { line: 1, problem: /has 1 fields/, hint: /looks like a UN consolidated list XML file: load it with --format un-xml/ });
    await expectRejected(join(F, 'internal-list.csv'), 'ofac-csv', { line: 1, problem: /has 8 fields; OFAC sdn\.csv has 12/, hint: /--format csv/ });
  });
});

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "${SECRET}">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
`;

describe('OFAC SDN.XML', () => {
  const fixture = () => readFileSync(join(F, 'ofac-sdn-2024-namespace.xml'), 'utf8');

  it('an XML bomb (billion laughs) is refused at the DOCTYPE, before any expansion', async () => {
    const bomb = file('bomb.xml', `${BILLION_LAUGHS}<sdnList><sdnEntry><uid>1</uid><lastName>&lol9;</lastName><sdnType>Entity</sdnType></sdnEntry></sdnList>`);
    await expectRejected(bomb, 'ofac-xml', { line: 13, problem: /DOCTYPE declaration, which is refused/ });
  });

  it('an external entity (XXE) is refused and the referenced file is never read into the store or the error', async () => {
    const secretFile = file('secret.txt', `${SECRET}-XXE-CONTENT`);
    const xxe = file('xxe.xml', `<?xml version="1.0"?>\n<!DOCTYPE sdnList [<!ENTITY xxe SYSTEM "file://${secretFile}">]>\n<sdnList><sdnEntry><uid>1</uid><lastName>&xxe;</lastName><sdnType>Entity</sdnType></sdnEntry></sdnList>`);
    const e = await expectRejected(xxe, 'ofac-xml', { line: 2, problem: /DOCTYPE/ });
    expect(e.message).not.toContain('XXE-CONTENT');
    // Without any DOCTYPE an undeclared entity is an error too, never a lookup.
    const undeclared = file('undeclared.xml', '<sdnList><sdnEntry><uid>1</uid><lastName>&xxe;</lastName><sdnType>Entity</sdnType></sdnEntry></sdnList>');
    await expectRejected(undeclared, 'ofac-xml', { line: 1, problem: /not well-formed \(undefined entity/ });
  });

  it('a truncated file', async () => {
    const text = fixture();
    const cut = file('cut.xml', text.slice(0, Math.floor(text.length * 0.6)));
    const e = await expectRejected(cut, 'ofac-xml', { problem: /not well-formed/ });
    expect(e.line).toBeGreaterThan(100);
  });

  it('a missing required element, text for a number, a wrong record count', async () => {
    const noUid = file('nouid.xml', fixture().replace('<uid>1003</uid>', ''));
    await expectRejected(noUid, 'ofac-xml', { line: 128, field: 'uid', problem: /no uid/ });
    const textUid = file('textuid.xml', fixture().replace('<uid>1003</uid>', `<uid>${SECRET}</uid>`));
    await expectRejected(textUid, 'ofac-xml', { line: 128, field: 'uid', problem: /not a whole number/ });
    const noType = file('notype.xml', fixture().replace('<sdnType>Vessel</sdnType>', ''));
    await expectRejected(noType, 'ofac-xml', { line: 128, field: 'sdnType', problem: /missing or not Individual/ });
    const count = file('count.xml', fixture().replace('<Record_Count>4</Record_Count>', '<Record_Count>5</Record_Count>'));
    await expectRejected(count, 'ofac-xml', { line: 3, field: 'Record_Count', problem: /states 5 entries but holds 4/ });
  });

  it('wrong encoding: Latin-1 bytes, or a declared non-UTF-8 encoding', async () => {
    const latin1 = file('latin1.xml', Buffer.from(fixture().replace('SEA SPARROW', `CAF\u00c9 ${SECRET}`), 'latin1'));
    await expectRejected(latin1, 'ofac-xml', { problem: /not valid UTF-8/ });
    const declared = file('declared.xml', fixture().replace('encoding="utf-8"', 'encoding="ISO-8859-1"'));
    await expectRejected(declared, 'ofac-xml', { line: 1, problem: /declares an encoding other than UTF-8/ });
  });

  it('a huge text node fails at the limit', async () => {
    const huge = file('hugetext.xml', fixture().replace('<lastName>SEA SPARROW</lastName>', `<lastName>${SECRET}${'A'.repeat(9 << 20)}</lastName>`));
    await expectRejected(huge, 'ofac-xml', { problem: /longer than 8 MiB/ });
  });

  it('a file of another format', async () => {
    await expectRejected(join(F, 'ofac-csv', 'sdn.csv'), 'ofac-xml', { line: 1, problem: /not XML/, hint: /--format ofac-csv/ });
    await expectRejected(join(F, 'un-consolidated-small.xml'), 'ofac-xml', { line: 2, problem: /root element is not sdnList/, hint: /--format un-xml/ });
  });
});

describe('UN consolidated XML', () => {
  const fixture = () => readFileSync(join(F, 'un-consolidated-small.xml'), 'utf8');

  it('an XML bomb', async () => {
    const bomb = file('un-bomb.xml', `${BILLION_LAUGHS}<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&lol9;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>`);
    await expectRejected(bomb, 'un-xml', { problem: /DOCTYPE/ });
  });

  it('a missing reference number, text in DATAID, a truncated file', async () => {
    await expectRejected(file('un-noref.xml', fixture().replace('<REFERENCE_NUMBER>HTi.901</REFERENCE_NUMBER>', '')), 'un-xml', { line: 69, field: 'REFERENCE_NUMBER', problem: /no reference number/ });
    await expectRejected(file('un-dataid.xml', fixture().replace('<DATAID>7000003</DATAID>', `<DATAID>${SECRET}</DATAID>`)), 'un-xml', { line: 99, field: 'DATAID', problem: /not a whole number/ });
    await expectRejected(file('un-noname.xml', fixture().replace('<FIRST_NAME>EASTERN STAR SHIPPING CO. LTD.</FIRST_NAME>', '')), 'un-xml', { line: 99, field: 'FIRST_NAME', problem: /no name/ });
    const text = fixture();
    await expectRejected(file('un-cut.xml', text.slice(0, text.indexOf('</ENTITIES>'))), 'un-xml', { problem: /not well-formed/ });
  });

  it('a file of another format', async () => {
    await expectRejected(join(F, 'ofac-sdn-2023-namespace.xml'), 'un-xml', { line: 2, problem: /not CONSOLIDATED_LIST/, hint: /--format ofac-xml/ });
    await expectRejected(join(F, 'opensanctions-small.ftm.jsonl'), 'un-xml', { line: 1, problem: /not XML/, hint: /--format ftm/ });
  });
});

describe('FollowTheMoney JSON lines', () => {
  const first = () => readFileSync(join(F, 'opensanctions-small.ftm.jsonl'), 'utf8').split('\n')[0]!;

  it('a truncated last line', async () => {
    const lines = readFileSync(join(F, 'opensanctions-small.ftm.jsonl'), 'utf8').trimEnd();
    await expectRejected(file('cut.jsonl', lines.slice(0, lines.length - 30)), 'ftm', { line: 7, problem: /not valid JSON/ });
  });

  it('a name that is not text, a missing id, properties that are not an object', async () => {
    await expectRejected(file('num.jsonl', `${first()}\n{"id":"x1","schema":"Person","properties":{"name":[42],"alias":["${SECRET}"]}}\n`), 'ftm', { line: 2, field: 'properties.name', problem: /not text/ });
    await expectRejected(file('noid.jsonl', `{"schema":"Person","properties":{"name":["${SECRET}"]}}\n`), 'ftm', { line: 1, field: 'id', problem: /missing or not text/ });
    await expectRejected(file('props.jsonl', `${first()}\n{"id":"x2","schema":"Company","properties":["${SECRET}"]}\n`), 'ftm', { line: 2, field: 'properties', problem: /not an object/ });
    await expectRejected(file('noname.jsonl', `${first()}\n{"id":"x3","schema":"Vessel","properties":{"imoNumber":["1234567"]}}\n`), 'ftm', { line: 2, field: 'properties.name', problem: /no name/ });
  });

  it('wrong encoding and a huge line', async () => {
    await expectRejected(file('latin1.jsonl', Buffer.from(`${first()}\n{"id":"x4","schema":"Person","properties":{"name":["CAF\u00c9 ${SECRET}"]}}\n`, 'latin1')), 'ftm', { line: 2, problem: /not valid UTF-8/ });
    const huge = file('huge.jsonl', `${first()}\n{"id":"x5","schema":"Person","properties":{"name":["${SECRET}${'A'.repeat(17 << 20)}"]}}\n`);
    await expectRejected(huge, 'ftm', { line: 2, problem: /longer than 16 MiB/ });
  });

  it('a file of another format', async () => {
    await expectRejected(join(F, 'internal-list.csv'), 'ftm', { line: 1, problem: /not valid JSON/, hint: /--format csv/ });
  });
});

describe('simple list CSV', () => {
  const HEADER = 'list_id,entry_id,type,name,aliases,country,identifiers,program\n';

  it('a missing required column, an unknown column', async () => {
    await expectRejected(file('noname.csv', `list_id,entry_id,type,aliases\nl,1,person,${SECRET}\n`), 'csv', { line: 1, field: 'name', problem: /required column is missing/ });
    await expectRejected(file('extra.csv', `list_id,entry_id,type,name,aliasses\nl,1,person,A,${SECRET}\n`), 'csv', { line: 1, field: '#5', problem: /column this format does not have/ });
  });

  it('bad values: type, identifiers, a second list id, an empty name, a short row, a repeated id', async () => {
    await expectRejected(file('type.csv', `${HEADER}l,1,robot,${SECRET},,,,\n`), 'csv', { line: 2, field: 'type', problem: /not person, company/ });
    await expectRejected(file('ids.csv', `${HEADER}l,1,person,A,,,${SECRET},\n`), 'csv', { line: 2, field: 'identifiers', problem: /not written type:value/ });
    await expectRejected(file('lists.csv', `${HEADER}l,1,person,A,,,,\nother,2,person,${SECRET},,,,\n`), 'csv', { line: 3, field: 'list_id', problem: /differs/ });
    await expectRejected(file('empty-name.csv', `${HEADER}l,1,person,,${SECRET},,,\n`), 'csv', { line: 2, field: 'name', problem: /is empty/ });
    await expectRejected(file('short.csv', `${HEADER}l,1,person,${SECRET}\n`), 'csv', { line: 2, problem: /has 4 fields, the header 8/ });
    const dup = file('dup.csv', `${HEADER}l,1,person,A,,,,\nl,2,person,B,,,,\nl,1,person,${SECRET},,,,\n`);
    await expectRejected(dup, 'csv', { line: 4, field: 'entry_id', problem: /repeats the id of the entry at dup\.csv:2/ });
  });

  it('wrong encoding, truncation, a huge line, an empty file', async () => {
    await expectRejected(file('latin1.csv', Buffer.from(`${HEADER}l,1,person,CAF\u00c9 ${SECRET},,,,\n`, 'latin1')), 'csv', { line: 2, problem: /not valid UTF-8/ });
    await expectRejected(file('cut.csv', `${HEADER}l,1,person,"${SECRET} TRAD`), 'csv', { line: 2, problem: /quoted field is not closed/ });
    await expectRejected(file('huge.csv', `${HEADER}l,1,person,${SECRET}${'A'.repeat(1_100_000)},,,,\n`), 'csv', { line: 2, problem: /longer than 1024 KiB/ });
    await expectRejected(file('header-only.csv', HEADER), 'csv', { problem: /holds no list entries/ });
    await expectRejected(file('zero.csv', ''), 'csv', { problem: /the file is empty/ });
  });

  it('a file of another format', async () => {
    await expectRejected(join(F, 'ofac-csv', 'sdn.csv'), 'csv', { line: 1, field: '#1', problem: /column this format does not have/, hint: /--format ofac-csv/ });
  });
});

describe('loading options', () => {
  it('a missing file, an unknown format, a bad publish date, several files for a one-file format', async () => {
    await expectRejected(join(F, 'nope.csv'), 'csv', { problem: /does not exist/ });
    await expectRejected(join(F, 'internal-list.csv'), 'xlsx', { problem: /not one Parallax reads/ });
    await expectRejected(join(F, 'internal-list.csv'), 'csv', { field: 'publish_date', problem: /calendar date/ }, { publishDate: '2024-02-30' });
    await expectRejected([join(F, 'un-consolidated-small.xml'), join(F, 'un-consolidated-small.xml')], 'un-xml', { problem: /one file per list version, 2 were given/ });
  });
});
