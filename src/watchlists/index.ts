export { loadList, versionIdFor, type ListVersion, type ListVersionFile, type LoadListDeps, type LoadListOptions } from './load-list.ts';
export { diffVersions, WatchlistLookupError, type DiffItem, type VersionDiff, type ChangeKind } from './diff-versions.ts';
export { listVersions, getVersion, showEntries, MAX_ENTRY_PAGE, type EntryPage } from './list-queries.ts';
export { parserFor, isListFormat } from './list-formats.ts';
export { LIST_FORMATS, sniffFormat, type ListFormat } from './format-sniff.ts';
export { parseOfacRemarks, type RemarkFacts } from './ofac-remarks.ts';
export { WATCHLIST_DDL } from './watchlist-schema.ts';
export {
  ENTRY_TYPES,
  ENTRY_FIELDS,
  ALIAS_KINDS,
  normaliseName,
  finaliseEntry,
  type WatchlistEntry,
  type StoredEntry,
  type Alias,
  type Identifier,
  type Address,
  type EntryType,
  type EntryField,
} from './watchlist-entry.ts';
export { parseListFiles, type ParsedList } from './parse-list.ts';
