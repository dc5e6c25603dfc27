/**
 * The party a line is judged against in party-level detectors: the reporting country's own trader, i.e. the
 * importer on imports and the exporter on exports. One definition, so benford, round-values, party-surge and
 * party-new-line agree on who "the party" is. Fixed SQL over the alias `t`; no user input reaches it.
 */
export const PARTY_KEY = "CASE WHEN t.flow = 'import' THEN t.importer_key ELSE t.exporter_key END";
export const PARTY_ROLE = "CASE WHEN t.flow = 'import' THEN 'importer' ELSE 'exporter' END";
