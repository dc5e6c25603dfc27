/**
 * Remarks parsing on real OFAC remarks, quoted from sdn.csv (OFAC SDN list, US government work, public
 * domain; see ../shared/data/README.md), plus the edge cases the real files contain.
 */
import { describe, expect, it } from 'vitest';
import { parseOfacRemarks, splitIdentifierRest } from './ofac-remarks.ts';

describe('OFAC remarks', () => {
  it('a vessel: IMO and MMSI, a former name as a weak alias; unknown facts stay in the remarks only', () => {
    // ent_num 15036, ARTAVIL (2024-05-03 sdn.csv)
    const f = parseOfacRemarks(
      "Former Vessel Flag Malta; alt. Former Vessel Flag Tuvalu; alt. Former Vessel Flag None Identified; alt. Former Vessel Flag Tanzania; Additional Sanctions Information - Subject to Secondary Sanctions; Vessel Registration Identification IMO 9187629; MMSI 572469210; f.k.a. 'ALPHA'; Linked To: NATIONAL IRANIAN TANKER COMPANY.",
    );
    expect(f.identifiers).toEqual([
      { type: 'imo', value: '9187629', country: null, currency: null },
      { type: 'mmsi', value: '572469210', country: null, currency: null },
    ]);
    expect(f.aliases).toEqual([{ name: 'ALPHA', kind: 'fka', weak: true }]);
    expect(f.countries).toEqual([]);
    expect(f.dates_of_birth).toEqual([]);
  });

  it('an individual: DOB, nationality, passport with issuing country and issue date, weak a.k.a.', () => {
    // ent_num 6905, ABU ZUBAYDAH (2021-07 sdn.csv)
    const f = parseOfacRemarks("DOB 12 Mar 1971; POB Riyadh, Saudi Arabia; nationality Palestinian; Passport 484824 (Egypt) issued 18 Jan 1984; a.k.a. 'TARIQ'.");
    expect(f.dates_of_birth).toEqual(['12 Mar 1971']);
    expect(f.countries).toEqual(['Palestinian']);
    expect(f.identifiers).toEqual([{ type: 'passport', value: '484824', country: 'Egypt', currency: null }]);
    expect(f.aliases).toEqual([{ name: 'TARIQ', kind: 'aka', weak: true }]);
  });

  it('alternative DOBs and passports without a country, with issue and expiry dates', () => {
    // ent_num 6944, AL-SHARIF, Sa'd Abdullah Hussein (2021-07 sdn.csv)
    const f = parseOfacRemarks('DOB 1969; alt. DOB 1963; alt. DOB 11 Feb 1964; POB Al-Medinah, Saudi Arabia; nationality Saudi Arabia; Passport B 960789; alt. Passport G 649385 issued 08 Sep 2006 expires 17 Jul 2011.');
    expect(f.dates_of_birth).toEqual(['1969', '1963', '11 Feb 1964']);
    expect(f.countries).toEqual(['Saudi Arabia']);
    expect(f.identifiers.map((i) => [i.type, i.value, i.country])).toEqual([
      ['passport', 'B 960789', null],
      ['passport', 'G 649385', null],
    ]);
  });

  it('an entity: SWIFT/BIC, websites and a company number with its country', () => {
    // ent_num 906, HAVIN BANK LIMITED (2021-07 sdn.csv)
    const f = parseOfacRemarks('SWIFT/BIC HAVIGB2L; Website www.havanaintbank.co.uk; alt. Website www.hib.uk.com; Company Number 01074897 (United Kingdom).');
    expect(f.identifiers).toEqual([
      { type: 'swift_bic', value: 'HAVIGB2L', country: null, currency: null },
      { type: 'website', value: 'www.havanaintbank.co.uk', country: null, currency: null },
      { type: 'website', value: 'www.hib.uk.com', country: null, currency: null },
      { type: 'registration_number', value: '01074897', country: 'United Kingdom', currency: null },
    ]);
  });

  it('digital currency addresses keep their currency; citizenship is a country; two weak aliases', () => {
    // ent_num 25308, YAN, Xiaobing (2021-07 sdn.csv), first two addresses
    const f = parseOfacRemarks(
      "DOB 25 Mar 1977; POB Wuhan City, Hubei, China; citizen China; Gender Male; Digital Currency Address - XBT 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h; alt. Digital Currency Address - XBT 1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo; Chinese Commercial Code 7346 2556 0365; Citizen's Card Number 421002197703250019 (China); a.k.a. 'ZHOU, William'; a.k.a. 'YAN, Steven'.",
    );
    expect(f.countries).toEqual(['China']);
    expect(f.identifiers).toEqual([
      { type: 'digital_currency_address', value: '12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h', country: null, currency: 'XBT' },
      { type: 'digital_currency_address', value: '1Kuf2Rd8mDyAViwBozGTNYnvWL8uYFrkVo', country: null, currency: 'XBT' },
      { type: 'national_id', value: '421002197703250019', country: 'China', currency: null },
    ]);
    expect(f.aliases.map((a) => a.name)).toEqual(['ZHOU, William', 'YAN, Steven']);
  });

  it('weak aliases containing apostrophes run from the first to the last quote', () => {
    // ent_num 7150, AL-LIBI, Abd al-Muhsin (2021-07 sdn.csv)
    const f = parseOfacRemarks("DOB 1966; alt. DOB 27 Oct 1969; nationality Libya; Passport 203037 (Libya); a.k.a. 'ABU ANAS'; a.k.a. ''ABD AL-MUHSI'; a.k.a. ''ABD AL-RAHMAN'.");
    expect(f.aliases.map((a) => a.name)).toEqual(['ABU ANAS', "'ABD AL-MUHSI", "'ABD AL-RAHMAN"]);
    expect(f.aliases.every((a) => a.weak && a.kind === 'aka')).toBe(true);
  });

  it('identifier rest: nested parentheses, "issued", and phone numbers are not countries', () => {
    expect(splitIdentifierRest('HRA 738077 (Stuttgart) (Germany)')).toEqual({ value: 'HRA 738077', country: 'Germany' });
    expect(splitIdentifierRest('AIMM67125HCHRRG06 (Mexico) issued 1968')).toEqual({ value: 'AIMM67125HCHRRG06', country: 'Mexico' });
    expect(parseOfacRemarks('Telephone (98)(21)(66153220).').identifiers).toEqual([{ type: 'phone', value: '(98)(21)(66153220)', country: null, currency: null }]);
  });

  it('nothing from empty remarks', () => {
    expect(parseOfacRemarks(null)).toEqual({ aliases: [], dates_of_birth: [], countries: [], identifiers: [] });
    expect(parseOfacRemarks('Gender Male; Organization Established Date 1971.').identifiers).toEqual([]);
  });
});
