// Company names for generated parties, built in SQL from word lists so that a party's name is a pure
// function of (seed, party key): the same party is named the same on every line, and names follow the
// conventions of the party's country (legal-form suffixes, word order) as a customs analyst would see them.
// None of these words appear in the fictitious watch list, so a watch-list hit only happens where one is
// planted on purpose.
import { sqlList, sqlNumber, sqlString } from './sql-literal.ts';

interface NameStyle {
  /** Countries written in this style. */
  countries: readonly string[];
  /** Patterns with {A} {B} (two name parts), {S} (sector word), {F} (legal form). */
  patterns: readonly string[];
  first: readonly string[];
  second: readonly string[];
  forms: readonly string[];
}

// First and second syllables never repeat each other ("Hongda", "Jinlong", never "Longlong").
const CN_SYLLABLES = ['Hong', 'Xin', 'Jin', 'Hua', 'Tian', 'Kai', 'San', 'Sheng', 'Yong', 'Fu', 'Heng', 'Mei', 'Bao', 'Guang', 'Jia', 'Ming', 'Wei', 'Zhong', 'Chang', 'Hai', 'Shun', 'Rui', 'Qiang', 'Bo', 'Zhen'];
const CN_SECOND = ['da', 'long', 'tai', 'xing', 'yuan', 'feng', 'cheng', 'li', 'mao', 'an', 'fa', 'de', 'kang', 'tong', 'yi', 'hao', 'ye', 'run', 'sen', 'wang'];

const STYLES: readonly NameStyle[] = [
  {
    countries: ['US', 'CA', 'PH'],
    patterns: ['{A} {B} {S} {F}', '{A} {S} {F}', '{A} & {B} {S} {F}', '{B} {S} Group {F}'],
    first: ['Acme', 'Summit', 'Pioneer', 'Liberty', 'Eagle', 'Harbor', 'Keystone', 'Cascade', 'Frontier', 'Atlas', 'Granite', 'Redwood', 'Bluewater', 'Lakeside', 'Prairie', 'Heritage', 'Sierra', 'Coastal', 'Midland', 'Evergreen', 'Ironwood', 'Northstar', 'Patriot', 'Canyon', 'Bayview', 'Pinecrest', 'Riverbend', 'Oakmont', 'Sterling', 'Beacon', 'Monarch', 'Tristate', 'Gateway', 'Highland', 'Meridian', 'Union', 'Westfield', 'Brookside', 'Copperline', 'Maple'],
    second: ['Carter', 'Hayes', 'Morgan', 'Bennett', 'Collins', 'Foster', 'Reed', 'Porter', 'Walsh', 'Dalton', 'Griffin', 'Harper', 'Lawson', 'Mercer', 'Nolan', 'Parker', 'Quinn', 'Sawyer', 'Turner', 'Wheeler', 'Barrett', 'Caldwell', 'Dawson', 'Ellison', 'Fletcher', 'Garrison', 'Holloway', 'Kendall', 'Lambert', 'Whitaker'],
    forms: ['LLC', 'Inc.', 'Corp.', 'LLC', 'Inc.', 'Co.'],
  },
  {
    countries: ['CN'],
    patterns: ['{C} {A}{B} {S} Co., Ltd.', '{A}{B} {S} ({C}) Co., Ltd.', '{C} {A}{B} Import & Export Co., Ltd.'],
    first: CN_SYLLABLES,
    second: CN_SECOND,
    forms: ['Shenzhen', 'Ningbo', 'Guangzhou', 'Xiamen', 'Shanghai', 'Qingdao', 'Dongguan', 'Yiwu', 'Foshan', 'Suzhou', 'Tianjin', 'Hangzhou', 'Wuxi', 'Zhongshan', 'Jiangmen'],
  },
  {
    countries: ['HK', 'TW', 'SG', 'MY'],
    patterns: ['{A}{B} {S} {F}', '{A}{B} Trading {F}', '{A}{B} Holdings {F}'],
    first: CN_SYLLABLES,
    second: CN_SECOND,
    forms: ['Limited', 'Co., Ltd.', 'Pte. Ltd.', 'Sdn. Bhd.'],
  },
  {
    countries: ['JP'],
    patterns: ['{A}{B} {S} Co., Ltd.', '{A}{B} Kogyo K.K.', '{A}{B} Shoji Co., Ltd.'],
    first: ['Saku', 'Fuji', 'Aoya', 'Kane', 'Hoshi', 'Taka', 'Miya', 'Shin', 'Dai', 'Toka', 'Nishi', 'Kawa', 'Yama', 'Ishi', 'Mori', 'Kita', 'Mina', 'Hira', 'Naka', 'Oka'],
    second: ['moto', 'mura', 'kawa', 'yama', 'da', 'no', 'saki', 'hara', 'shima', 'zawa', 'tani', 'gawa'],
    forms: ['Co., Ltd.'],
  },
  {
    countries: ['KR'],
    patterns: ['{A}{B} {S} Co., Ltd.', '{A}{B} Industrial Co., Ltd.', '{A}{B} Corporation'],
    first: ['Han', 'Dae', 'Se', 'Dong', 'Sam', 'Hae', 'Jin', 'Tae', 'Yoo', 'Sung', 'Kyung', 'Myung', 'Il', 'Bo', 'Chun'],
    second: ['il', 'young', 'bang', 'woo', 'yang', 'won', 'kwang', 'san', 'hwa', 'do', 'ho', 'min'],
    forms: ['Co., Ltd.'],
  },
  {
    countries: ['DE', 'AT', 'CH'],
    patterns: ['{A}{B} {S} {F}', '{A}{B} Handels {F}', '{A}{B} Maschinenbau {F}', '{A}{B} & Partner {F}'],
    first: ['Nord', 'Rhein', 'Elb', 'Weser', 'Berg', 'Linden', 'Schwarz', 'Falken', 'Mittel', 'Isar', 'Brenn', 'Eichen', 'Sonnen', 'Stern', 'Wald', 'Hohen', 'Alt', 'Neu', 'Ober', 'Tannen'],
    second: ['hafen', 'tal', 'mark', 'land', 'hof', 'stein', 'werk', 'feld', 'bach', 'burg', 'au', 'haus', 'wiese'],
    forms: ['GmbH', 'AG', 'GmbH & Co. KG', 'GmbH'],
  },
  {
    countries: ['GB', 'IE', 'IL', 'NG', 'AU', 'NZ', 'ZA'],
    patterns: ['{A}{B} {S} {F}', '{A} {S} {F}', '{A}{B} Holdings {F}'],
    first: ['Thames', 'Severn', 'Crown', 'Albion', 'Harrow', 'Wessex', 'Mersey', 'Avon', 'Ash', 'Bram', 'Elm', 'Fair', 'Glen', 'Hart', 'Oak', 'Brook', 'Stan', 'Wood', 'Bright', 'Castle'],
    second: ['wood', 'field', 'gate', 'bridge', 'ford', 'ley', 'ton', 'well', 'mere', 'dale'],
    forms: ['Ltd', 'Limited', 'PLC', 'Ltd'],
  },
  {
    countries: ['FR', 'BE'],
    patterns: ['{A} {B} {S} {F}', 'Société {A} {B} {F}', 'Ets {A} {F}'],
    first: ['Lemoine', 'Durand', 'Bertin', 'Fauchet', 'Garnier', 'Marchal', 'Rousset', 'Vasseur', 'Chabert', 'Delmas', 'Ferrand', 'Lacoste', 'Morel', 'Perrin', 'Valette'],
    second: ['Frères', 'et Fils', 'Industrie', 'Négoce', 'Provence', 'Atlantique', 'Loire', 'Alpes', 'Normandie', 'Rhône'],
    forms: ['SAS', 'SA', 'SARL'],
  },
  {
    countries: ['IT'],
    patterns: ['{A} {B} {F}', '{A} {S} {F}', 'Fratelli {A} {F}'],
    first: ['Bianchini', 'Ferraresi', 'Galli', 'Lombardi', 'Marchetti', 'Moretti', 'Rinaldi', 'Santoro', 'Testa', 'Vitale', 'Colombo', 'Fabbri', 'Gentile', 'Orsini', 'Pellegrini'],
    second: ['Industrie', 'Tessile', 'Meccanica', 'Alimentari', 'Metalli', 'Commerciale', 'Forniture', 'Sistemi'],
    forms: ['S.p.A.', 'S.r.l.', 'S.r.l.'],
  },
  {
    countries: ['ES', 'MX', 'CO', 'PE', 'CL', 'EC', 'AR', 'CR', 'DO', 'GT', 'HN', 'PA'],
    patterns: ['{A} {B} {F}', 'Grupo {A} {B} {F}', 'Comercializadora {A} {F}', 'Industrias {A} {B} {F}'],
    first: ['Alvarado', 'Bermúdez', 'Castañeda', 'Delgado', 'Escobar', 'Figueroa', 'Guerrero', 'Herrera', 'Ibarra', 'Jiménez', 'Lozano', 'Montoya', 'Navarro', 'Ortega', 'Paredes', 'Quintero', 'Robles', 'Salazar', 'Valdez', 'Zamora'],
    second: ['del Norte', 'del Pacífico', 'Internacional', 'Andina', 'del Valle', 'Continental', 'del Golfo', 'Integral', 'Agroindustrial', 'Metalúrgica'],
    forms: ['S.A. de C.V.', 'S.A.', 'S.A.S.', 'S.L.', 'Ltda.'],
  },
  {
    countries: ['BR', 'PT'],
    patterns: ['{A} {B} {F}', '{A} {S} {F}', 'Indústrias {A} {F}'],
    first: ['Almeida', 'Barbosa', 'Cardoso', 'Duarte', 'Ferreira', 'Gonçalves', 'Lacerda', 'Macedo', 'Nogueira', 'Pacheco', 'Queiroz', 'Ribeiro', 'Siqueira', 'Teixeira', 'Vasconcelos'],
    second: ['Comércio', 'Exportadora', 'Agroindustrial', 'do Brasil', 'Metalúrgica', 'Têxtil', 'Alimentos', 'Participações'],
    forms: ['Ltda.', 'S.A.', 'Ltda.'],
  },
  {
    countries: ['IN', 'PK', 'BD'],
    patterns: ['{A} {B} {S} {F}', '{A} {S} {F}', 'Shree {A} {S} {F}'],
    first: ['Laxmi', 'Ganesh', 'Surya', 'Ambika', 'Bharat', 'Kaveri', 'Narmada', 'Rajdhani', 'Sai', 'Vardhman', 'Anand', 'Jyoti', 'Kohinoor', 'Mahalaxmi', 'Pragati'],
    second: ['Overseas', 'Exports', 'Impex', 'Industries', 'Enterprises', 'International', 'Udyog', 'Traders'],
    forms: ['Pvt. Ltd.', 'Limited', 'Pvt. Ltd.'],
  },
  {
    countries: ['VN', 'KH'],
    patterns: ['{A} {B} {S} {F}', '{A} {S} {F}'],
    first: ['Minh', 'Thanh', 'Phuoc', 'Hoang', 'Viet', 'Sai Gon', 'Dong A', 'An Phat', 'Tan Thanh', 'Hoa Binh', 'Angkor', 'Mekong'],
    second: ['Phat', 'Long', 'Thinh', 'Hung', 'Tien', 'Loc', 'Thanh Cong', 'Phu'],
    forms: ['Company Limited', 'Joint Stock Company', 'Co., Ltd.'],
  },
  {
    countries: ['TH'],
    patterns: ['{A} {B} {S} {F}', '{A} {S} {F}'],
    first: ['Siam', 'Chao Phraya', 'Sukhumvit', 'Rattana', 'Srisawat', 'Thai Charoen', 'Ayutthaya', 'Lanna', 'Kasem', 'Bangna'],
    second: ['Pattana', 'Rungruang', 'Charoen', 'Sombat', 'Mongkol', 'Thanakorn', 'Prosper', 'United'],
    forms: ['Co., Ltd.', 'Public Company Limited'],
  },
  {
    countries: ['ID'],
    patterns: ['PT {A} {B} {S}', 'PT {A} {S} {F}', 'PT {A} {B}'],
    first: ['Nusantara', 'Sinar', 'Mitra', 'Karya', 'Cahaya', 'Bintang', 'Sumber', 'Surya', 'Mega', 'Indah'],
    second: ['Abadi', 'Jaya', 'Makmur', 'Sejahtera', 'Perkasa', 'Utama', 'Mandiri', 'Lestari'],
    forms: ['Tbk', 'Indonesia'],
  },
  {
    countries: ['NL'],
    patterns: ['{A}{B} {S} {F}', '{A}{B} {F}', '{A}{B} Trading {F}'],
    first: ['Noord', 'Ooster', 'Wester', 'Zuider', 'Polder', 'Dijk', 'Maas', 'Rijn', 'Hoog', 'Vlier', 'Amstel', 'Zeeland'],
    second: ['veld', 'berg', 'wijk', 'dam', 'hoek', 'land', 'meer', 'haven'],
    forms: ['B.V.', 'N.V.'],
  },
  {
    countries: ['SE', 'DK'],
    patterns: ['{A}{B} {S} {F}', '{A}{B} {F}'],
    first: ['Stor', 'Havn', 'Norr', 'Sol', 'Fjord', 'Ek', 'Björk', 'Sjö', 'Lind', 'Vester', 'Øster', 'Skov'],
    second: ['holm', 'strand', 'dal', 'lund', 'berg', 'vik', 'gaard', 'by'],
    forms: ['AB', 'A/S'],
  },
  {
    countries: ['PL'],
    patterns: ['{A}{B} {F}', '{A}{B} {S} {F}'],
    first: ['Pol', 'Mazo', 'Wis', 'Kar', 'Odra', 'Tatra', 'Bal', 'War', 'Sil', 'Pom'],
    second: ['met', 'stal', 'bud', 'trans', 'chem', 'tex', 'drew', 'plast'],
    forms: ['Sp. z o.o.', 'S.A.'],
  },
  {
    countries: ['TR'],
    patterns: ['{A} {B} {F}', '{A} {S} {F}'],
    first: ['Anadolu', 'Ege', 'Marmara', 'Karadeniz', 'Bosfor', 'Toros', 'Yildiz', 'Ozkan', 'Demirel', 'Kayalar'],
    second: ['Tekstil', 'Metal', 'Gida', 'Makina', 'Kimya', 'Dis Ticaret', 'Sanayi', 'Insaat'],
    forms: ['A.Ş.', 'Ltd. Şti.'],
  },
  {
    countries: ['AE', 'SA', 'EG'],
    patterns: ['{A} {B} {F}', '{A} {S} {F}', '{A} {B} {S} {F}'],
    first: ['Al Noor', 'Al Safa', 'Al Rayan', 'Al Fajr', 'Al Waha', 'Al Mansour', 'Al Hilal', 'Al Baraka', 'Al Sahra', 'Al Khaleej', 'Al Majd', 'Al Nakheel'],
    second: ['International', 'Trading', 'Industries', 'Group', 'Enterprises', 'Commercial'],
    forms: ['LLC', 'FZCO', 'Co. Ltd.'],
  },
];

/** Legal form per country where a style lists several countries with different conventions. */
const FORM_BY_COUNTRY: Readonly<Record<string, readonly string[]>> = {
  US: ['LLC', 'Inc.', 'Corp.', 'LLC', 'Inc.', 'Co.'],
  CA: ['Inc.', 'Ltd.', 'Corp.'],
  PH: ['Inc.', 'Corporation'],
  HK: ['Limited', 'Company Limited'],
  TW: ['Co., Ltd.', 'Corporation'],
  SG: ['Pte. Ltd.'],
  MY: ['Sdn. Bhd.'],
  DE: ['GmbH', 'AG', 'GmbH & Co. KG', 'GmbH'],
  AT: ['GmbH', 'AG'],
  CH: ['AG', 'SA', 'GmbH'],
  GB: ['Ltd', 'Limited', 'PLC', 'Ltd'],
  IE: ['Ltd', 'Limited', 'DAC'],
  IL: ['Ltd.'],
  NG: ['Ltd', 'Nigeria Limited'],
  AU: ['Pty Ltd'],
  NZ: ['Limited'],
  ZA: ['(Pty) Ltd'],
  FR: ['SAS', 'SA', 'SARL'],
  BE: ['NV', 'SA', 'BV'],
  MX: ['S.A. de C.V.', 'S. de R.L. de C.V.'],
  ES: ['S.A.', 'S.L.'],
  CO: ['S.A.S.', 'S.A.'],
  PE: ['S.A.C.', 'S.A.'],
  CL: ['S.A.', 'SpA', 'Ltda.'],
  EC: ['S.A.', 'Cía. Ltda.'],
  AR: ['S.A.', 'S.R.L.'],
  CR: ['S.A.'],
  DO: ['S.R.L.', 'S.A.'],
  GT: ['S.A.'],
  HN: ['S.A. de C.V.'],
  PA: ['S.A.', 'Inc.'],
  BR: ['Ltda.', 'S.A.'],
  PT: ['Lda.', 'S.A.'],
  VN: ['Company Limited', 'Joint Stock Company'],
  KH: ['Co., Ltd.'],
  TH: ['Co., Ltd.', 'Public Company Limited'],
  ID: ['Tbk', 'Indonesia'],
  NL: ['B.V.', 'N.V.'],
  SE: ['AB'],
  DK: ['A/S', 'ApS'],
  PL: ['Sp. z o.o.', 'S.A.'],
  TR: ['A.Ş.', 'Ltd. Şti.'],
  SA: ['Co. Ltd.', 'Trading Est.'],
  AE: ['LLC', 'General Trading LLC', 'FZCO'],
  EG: ['S.A.E.'],
  IN: ['Pvt. Ltd.', 'Limited', 'Pvt. Ltd.'],
  PK: ['(Pvt.) Ltd.'],
  BD: ['Ltd.'],
};

/**
 * SQL expression naming a party. `key` is a unique integer per party, `country` its ISO code column and
 * `sector` a VARCHAR[] column of industry words for its main chapter.
 */
export function partyNameSql(seed: number, key: string, country: string, sector: string): string {
  const s = sqlNumber(seed);
  const pick = (list: string, salt: string) => `${list}[1 + (hash(${s}::BIGINT, ${key}, ${sqlString(salt)}) % len(${list}))::INT]`;
  const branches = STYLES.map((style) => {
    const first = pick(sqlList(style.first), 'n-a');
    const second = pick(sqlList(style.second), 'n-b');
    const sectorWord = pick(sector, 'n-s');
    const formLists = style.countries.map(
      (c) => `WHEN ${country} = ${sqlString(c)} THEN ${pick(sqlList(FORM_BY_COUNTRY[c] ?? style.forms), 'n-f')}`,
    );
    const form = `CASE ${formLists.join(' ')} ELSE ${pick(sqlList(style.forms), 'n-f')} END`;
    // Chinese names put the city first; the style keeps cities in `forms`.
    const city = pick(sqlList(style.forms), 'n-c');
    const patterns = style.patterns.map((p) =>
      p
        .split(/(\{[ABSFC]\})/)
        .filter((part) => part !== '')
        .map((part) => {
          switch (part) {
            case '{A}': return first;
            case '{B}': return second;
            case '{S}': return sectorWord;
            case '{F}': return form;
            case '{C}': return city;
            default: return sqlString(part);
          }
        })
        .join(' || '),
    );
    const patternCase = patterns.map((expr, idx) => `WHEN ${idx} THEN ${expr}`).join(' ');
    const body = `CASE (hash(${s}::BIGINT, ${key}, 'n-p') % ${patterns.length})::INT ${patternCase} END`;
    return `WHEN ${country} IN (${style.countries.map(sqlString).join(', ')}) THEN ${body}`;
  });
  const fallback = STYLES[0];
  if (!fallback) throw new Error('party-names: no styles');
  return `CASE ${branches.join('\n')} ELSE ${pick(sqlList(fallback.first), 'n-a')} || ' ' || ${pick(sector, 'n-s')} || ' Ltd.' END`;
}

/** Every word that may appear in a generated name, so tests can check the watch list stays disjoint. */
export const NAME_WORDS: readonly string[] = STYLES.flatMap((s) => [...s.first, ...s.second]);
