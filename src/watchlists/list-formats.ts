/**
 * The list formats Parallax reads, by the name `--format` takes. Adding a format is one parser module and
 * one line here.
 */
import { InputError } from '../ingest/input-error.ts';
import { LIST_FORMATS, type ListFormat } from './format-sniff.ts';
import type { ListParser } from './list-parser.ts';
import { ofacCsvParser } from './ofac-csv-parser.ts';
import { ofacXmlParser } from './ofac-xml-parser.ts';
import { unXmlParser } from './un-xml-parser.ts';
import { ftmParser } from './ftm-parser.ts';
import { simpleCsvParser } from './simple-csv-parser.ts';

const PARSERS: Readonly<Record<ListFormat, ListParser>> = {
  'ofac-csv': ofacCsvParser,
  'ofac-xml': ofacXmlParser,
  'un-xml': unXmlParser,
  ftm: ftmParser,
  csv: simpleCsvParser,
};

export function isListFormat(name: string): name is ListFormat {
  return (LIST_FORMATS as readonly string[]).includes(name);
}

export function parserFor(format: string, file: string): ListParser {
  if (!isListFormat(format)) {
    throw new InputError(file, null, null, 'the list format is not one Parallax reads', `Use --format ${LIST_FORMATS.join(', ')}`);
  }
  return PARSERS[format];
}
