// The internal demo watch list: fictitious companies and vessels, written in the simple CSV list format.
// Its words are disjoint from the generator's name vocabulary (party-names.ts), so the only parties that
// match it are the ones planted here, each labelled as a `watchlist-hit`.

export interface WatchEntry {
  entryId: string;
  type: 'company' | 'vessel';
  name: string;
  aliases: readonly string[];
  country: string;
  identifiers: string;
  program: string;
}

export interface PlantedHit {
  entryId: string;
  /** The name the planted party carries in declarations: the listed name, an alias, or a near spelling. */
  partyName: string;
  match: 'exact name' | 'alias' | 'spelling variant';
  /** Which pool the planted party is taken from. */
  role: 'supplier' | 'us-importer';
}

export const WATCHLIST_ID = 'internal-demo';

const e = (
  entryId: string,
  type: WatchEntry['type'],
  name: string,
  aliases: readonly string[],
  country: string,
  identifiers: string,
  program: string,
): WatchEntry => ({ entryId, type, name, aliases, country, identifiers, program });

export const WATCH_ENTRIES: readonly WatchEntry[] = [
  e('WL-0001', 'company', 'Golden Crescent General Trading FZE', ['Golden Crescent Trading', 'GCGT FZE'], 'AE', 'LIC:FZE-448112', 'tbml-review'),
  e('WL-0002', 'company', 'Zhejiang Qilin Precision Metals Co., Ltd.', ['Qilin Precision Metals'], 'CN', 'USCC:91330100QLPM7781', 'adcvd-evasion'),
  e('WL-0003', 'company', 'Obsidian Bay Logistics Limited', ['Obsidian Bay Ltd'], 'HK', 'CR:2871145', 'tbml-review'),
  e('WL-0004', 'company', 'Marisol Seafood Exporters S.A.', ['Marisol Seafood'], 'EC', 'RUC:0991827365001', 'iuu-fishing'),
  e('WL-0005', 'company', 'Vantablack Components Pte. Ltd.', ['Vantablack Components'], 'SG', 'UEN:201734455K', 'dual-use'),
  e('WL-0006', 'company', 'Anatolia Steelworks Export A.Ş.', ['Anatolia Steelworks'], 'TR', 'MERSIS:0781234500015', 'adcvd-evasion'),
  e('WL-0007', 'company', 'Quetzal Textiles Maquila S.A.', ['Quetzal Maquila'], 'GT', 'NIT:8841273-5', 'forced-labour-review'),
  e('WL-0008', 'company', 'Kestrelwing Avionics Trading LLC', ['Kestrelwing Avionics'], 'US', 'EIN:84-3321907', 'dual-use'),
  e('WL-0009', 'company', 'Saffron Route Impex Pvt. Ltd.', ['Saffron Route Impex'], 'IN', 'CIN:U51909MH2015PTC266611', 'tbml-review'),
  e('WL-0010', 'company', 'Borealis Fur & Timber Ltd.', ['Borealis Timber'], 'CA', 'BN:771245503', 'ipr-counterfeit'),
  e('WL-0011', 'company', 'Tigerlily Garment Factory Co., Ltd.', ['Tigerlily Garments'], 'KH', 'VAT:K009-901122334', 'forced-labour-review'),
  e('WL-0012', 'company', 'Nightjar Electronics Limited', ['Nightjar Electronic Ltd'], 'HK', 'CR:3310982', 'dual-use'),
  e('WL-0013', 'company', 'Azure Lagoon Shipping Inc.', ['Azure Lagoon Shipping'], 'PA', 'RUC:155667788-2-2019', 'sanctions-evasion'),
  e('WL-0014', 'company', 'Ostrava Heavy Castings s.r.o.', ['Ostrava Castings'], 'CZ', 'ICO:27711234', 'adcvd-evasion'),
  e('WL-0015', 'company', 'Caspian Pearl Petrochemicals LLC', ['Caspian Pearl Petrochem'], 'AE', 'LIC:DED-771098', 'sanctions-evasion'),
  e('WL-0016', 'company', 'Hummingbird Pharma Distributors S.A.', ['Hummingbird Pharma'], 'PA', 'RUC:8812234-1-771', 'counterfeit-medicines'),
  e('WL-0017', 'company', 'Firefly Optical Instruments GmbH', ['Firefly Optical'], 'DE', 'HRB:221987', 'dual-use'),
  e('WL-0018', 'company', 'Lotus Gate Bullion DMCC', ['Lotus Gate Bullion', 'LGB DMCC'], 'AE', 'DMCC:30-01-7781', 'tbml-review'),
  e('WL-0019', 'company', 'Pacifica Blue Tuna Corp.', ['Pacifica Blue Tuna'], 'PH', 'SEC:CS201912345', 'iuu-fishing'),
  e('WL-0020', 'company', 'Silverthorn Tobacco Trading Ltd', ['Silverthorn Tobacco'], 'CY', 'HE:HE398812', 'excise-fraud'),
  e('WL-0021', 'company', 'Jadeite Horizon Holdings Limited', ['Jadeite Horizon'], 'HK', 'CR:2990175', 'tbml-review'),
  e('WL-0022', 'company', 'Red Mesa Auto Exports S. de R.L.', ['Red Mesa Auto'], 'MX', 'RFC:RMA150312KX1', 'vehicle-export-fraud'),
  e('WL-0023', 'company', 'Orchid Valley Solar Technology Co., Ltd.', ['Orchid Valley Solar'], 'CN', 'USCC:91320500OVST2231', 'adcvd-evasion'),
  e('WL-0024', 'company', 'Sable Harbour Freight Forwarders Ltd', ['Sable Harbour Freight'], 'GB', 'CRN:09912877', 'tbml-review'),
  e('WL-0025', 'company', 'Volcanic Rock Minerals S.A.C.', ['Volcanic Rock Minerals'], 'PE', 'RUC:20601234567', 'illicit-gold'),
  e('WL-0026', 'company', 'Tamarind Coast Impex Sdn. Bhd.', ['Tamarind Coast Impex'], 'MY', 'SSM:201801012345', 'adcvd-evasion'),
  e('WL-0027', 'company', 'Cobaltine Battery Materials Ltd', ['Cobaltine Battery'], 'HK', 'CR:3012277', 'forced-labour-review'),
  e('WL-0028', 'company', 'Mirage Dunes Electronics Trading FZCO', ['Mirage Dunes Electronics'], 'AE', 'LIC:JAFZA-18822', 'dual-use'),
  e('WL-0029', 'company', 'Thunderbird Surplus Supply Inc.', ['Thunderbird Surplus'], 'US', 'EIN:27-5540912', 'export-control'),
  e('WL-0030', 'company', 'Baobab Commodities Nigeria Limited', ['Baobab Commodities'], 'NG', 'RC:1429987', 'tbml-review'),
  e('WL-0031', 'company', 'Kingfisher Rattan Furniture Company Limited', ['Kingfisher Rattan'], 'VN', 'MST:0312998877', 'adcvd-evasion'),
  e('WL-0032', 'company', 'Glacier Peak Seafoods Ltd.', ['Glacier Peak Seafoods'], 'CL', 'RUT:76.998.123-4', 'iuu-fishing'),
  e('WL-0033', 'company', 'Emberstone Ceramics Co., Ltd.', ['Emberstone Ceramics'], 'CN', 'USCC:91440600ESC88812', 'adcvd-evasion'),
  e('WL-0034', 'company', 'Marigold Medical Devices Pvt. Ltd.', ['Marigold Medical'], 'IN', 'CIN:U33112DL2016PTC301122', 'counterfeit-medicines'),
  e('WL-0035', 'company', 'Sapphire Strait Marine Services Pte. Ltd.', ['Sapphire Strait Marine'], 'SG', 'UEN:201922118R', 'sanctions-evasion'),
  e('WL-0036', 'company', 'Ironbark Scrap Metals Pty Ltd', ['Ironbark Scrap'], 'AU', 'ABN:55 661 234 998', 'tbml-review'),
  e('WL-0037', 'company', 'Velvet Orchard Apparel S.A. de C.V.', ['Velvet Orchard Apparel'], 'MX', 'RFC:VOA170823JQ4', 'forced-labour-review'),
  e('WL-0038', 'company', 'Stormpetrel Trading B.V.', ['Stormpetrel Trading'], 'NL', 'KVK:71233490', 'sanctions-evasion'),
  e('WL-0039', 'company', 'Amberline Precious Metals Refinery SA', ['Amberline Refinery'], 'CH', 'CHE:112.998.771', 'illicit-gold'),
  e('WL-0040', 'company', 'Whitecap Rubber Gloves Sdn. Bhd.', ['Whitecap Gloves'], 'MY', 'SSM:200901044321', 'forced-labour-review'),
  e('WL-0041', 'company', 'Nebula Drones Technology Co., Ltd.', ['Nebula Drones'], 'CN', 'USCC:91440300NDT77123', 'dual-use'),
  e('WL-0042', 'company', 'Coral Reef Re-Export Services LLC', ['Coral Reef Re-Export'], 'AE', 'LIC:DED-902114', 'tbml-review'),
  e('WL-0043', 'company', 'Peregrine Textile Mills Ltd.', ['Peregrine Mills'], 'BD', 'RJSC:C-139981', 'forced-labour-review'),
  e('WL-0044', 'company', 'Bluefin Horizon Fisheries Co., Ltd.', ['Bluefin Horizon'], 'TW', 'BAN:28874512', 'iuu-fishing'),
  e('WL-0045', 'vessel', 'Ocean Marauder', ['Sea Marauder'], 'PA', 'IMO:9312457', 'sanctions-evasion'),
  e('WL-0046', 'vessel', 'Silent Albatross', ['Albatross I'], 'LR', 'IMO:9421780', 'sanctions-evasion'),
  e('WL-0047', 'vessel', 'Crimson Tern', [], 'MH', 'IMO:9188240', 'iuu-fishing'),
  e('WL-0048', 'vessel', 'Northern Lantern', ['Lantern N'], 'KM', 'IMO:9077361', 'sanctions-evasion'),
  e('WL-0049', 'vessel', 'Jade Phoenix 7', ['Jade Phoenix'], 'TG', 'IMO:9256631', 'tbml-review'),
  e('WL-0050', 'vessel', 'Starling Venture', [], 'PA', 'IMO:9334782', 'iuu-fishing'),
];

/**
 * Parties renamed to watch-list names. Each is taken, when possible, from the pool of parties in the
 * entry's country (the screening component may weigh country agreement).
 */
export const PLANTED_HITS: readonly PlantedHit[] = [
  { entryId: 'WL-0002', partyName: 'Zhejiang Qilin Precision Metals Co., Ltd.', match: 'exact name', role: 'supplier' },
  { entryId: 'WL-0012', partyName: 'Nightjar Electronics Ltd.', match: 'spelling variant', role: 'supplier' },
  { entryId: 'WL-0023', partyName: 'Orchid Valley Solar Technology Co Ltd', match: 'spelling variant', role: 'supplier' },
  { entryId: 'WL-0031', partyName: 'Kingfisher Rattan', match: 'alias', role: 'supplier' },
  { entryId: 'WL-0037', partyName: 'Velvet Orchard Apparel SA de CV', match: 'spelling variant', role: 'supplier' },
  { entryId: 'WL-0040', partyName: 'Whitecap Rubber Gloves Sdn Bhd', match: 'spelling variant', role: 'supplier' },
  { entryId: 'WL-0008', partyName: 'Kestrelwing Avionics Trading LLC', match: 'exact name', role: 'us-importer' },
  { entryId: 'WL-0029', partyName: 'Thunderbird Surplus Suply Inc.', match: 'spelling variant', role: 'us-importer' },
];
