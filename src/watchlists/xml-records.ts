/**
 * Safe streaming XML for watch lists: the file is read once with saxes and each record element (an OFAC
 * sdnEntry, a UN INDIVIDUAL ...) is handed over as a small tree, so memory is bounded by one record.
 *
 * Invariants:
 * - No DTD is ever processed. A DOCTYPE is refused outright: watch lists never need one, and refusing it
 *   stops entity-expansion bombs (billion laughs) and external entities (XXE) before any expansion, with
 *   one clear error. saxes itself never expands declared entities nor fetches anything.
 * - Element names are matched by local name (prefix dropped, namespaces ignored), because OFAC changed
 *   the SDN.XML namespace on 2024-05-07 without changing the elements.
 * - Limits: a text node, comment or tag longer than MAX_RUN_CHARS, a record with more than
 *   MAX_RECORD_NODES elements or MAX_RECORD_CHARS of text, or nesting deeper than MAX_DEPTH fails at once
 *   with its line.
 * - Parser messages are reduced to their kind; values from the file never reach an error.
 */
import { SaxesParser } from 'saxes';
import { InputError } from '../ingest/input-error.ts';
import { decodedText } from './decoded-text.ts';

export const MAX_RUN_CHARS = 8 << 20;
const MAX_RECORD_NODES = 100_000;
const MAX_DEPTH = 64;
const MAX_RECORD_CHARS = 16 << 20;

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
  readonly line: number;
}

export interface XmlReadOptions {
  /** Called with the root element; throw an InputError to refuse a file of another kind. */
  onRoot(name: string, attrs: Readonly<Record<string, string>>, line: number): void;
  /** Local names of the elements delivered whole (records and header blocks). */
  capture: ReadonlySet<string>;
  onElement(el: XmlElement): Promise<void> | void;
  /** The hint for a file that is not XML at all (given --format but another kind of file). */
  notXmlHint: string;
}

export function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i === -1 ? qname : qname.slice(i + 1);
}

function sanitiseParserMessage(message: string): string {
  return message
    .replace(/^\d+:\d+:\s*/, '')
    .replace(/'[^']*'|"[^"]*"/g, '…')
    .slice(0, 120);
}

export async function readXmlRecords(path: string, label: string, opts: XmlReadOptions): Promise<void> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const done: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let depth = 0;
  let sawRoot = false;
  let nodes = 0;
  let recordChars = 0;
  let sinceEvent = 0;

  const fail = (problem: string, hint: string, line: number = parser.line) => new InputError(label, line, null, problem, hint);
  const progressed = () => {
    sinceEvent = 0;
  };

  parser.on('xmldecl', (decl) => {
    progressed();
    const enc = decl.encoding?.toLowerCase();
    if (enc && enc !== 'utf-8' && enc !== 'utf8' && enc !== 'us-ascii' && enc !== 'ascii') {
      throw fail('the XML declares an encoding other than UTF-8', 'Convert the file to UTF-8 (and its declaration to encoding="UTF-8"); nothing was stored');
    }
  });
  parser.on('doctype', () => {
    throw fail(
      'the XML contains a DOCTYPE declaration, which is refused: DTD entities can expand without bound (an "XML bomb") or read other files (XXE)',
      'Watch-list XML files never need a DOCTYPE; remove it or fetch the original list again; nothing was stored',
    );
  });
  parser.on('opentag', (tag) => {
    progressed();
    const name = localName(tag.name);
    if (!sawRoot) {
      sawRoot = true;
      opts.onRoot(name, tag.attributes as Record<string, string>, parser.line);
    }
    if (++depth > MAX_DEPTH) throw fail(`elements are nested more than ${MAX_DEPTH} deep`, 'The file is damaged or not a watch list; nothing was stored');
    if (stack.length === 0 && !opts.capture.has(name)) return;
    if (++nodes > MAX_RECORD_NODES) throw fail(`a record holds more than ${MAX_RECORD_NODES} elements`, 'The file is damaged or not a watch list; nothing was stored');
    const el: XmlElement = { name, attrs: { ...(tag.attributes as Record<string, string>) }, children: [], text: '', line: parser.line };
    stack.at(-1)?.children.push(el);
    stack.push(el);
  });
  const onText = (t: string) => {
    progressed();
    const top = stack.at(-1);
    if (!top) return;
    recordChars += t.length;
    if (recordChars > MAX_RECORD_CHARS) throw fail(`a record holds more than ${MAX_RECORD_CHARS >> 20} MiB of text`, 'The file is damaged or not a watch list; nothing was stored');
    top.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('comment', progressed);
  parser.on('processinginstruction', progressed);
  parser.on('closetag', () => {
    progressed();
    depth--;
    const el = stack.pop();
    if (el && stack.length === 0) {
      nodes = 0;
      recordChars = 0;
      done.push(el);
    }
  });

  const drain = async () => {
    while (done.length) await opts.onElement(done.shift()!);
  };
  const guarded = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof InputError) throw e;
      const kind = sanitiseParserMessage(String((e as Error)?.message ?? e));
      if (!sawRoot) throw fail(`the file is not XML (${kind})`, opts.notXmlHint);
      throw fail(`the XML is not well-formed (${kind})`, 'The file is damaged or truncated: fetch it again; nothing was stored');
    }
  };

  let first = true;
  for await (const chunk of decodedText(path, label)) {
    // XML starts with markup; anything else (a CSV, JSON) is refused at line 1 with the format hint.
    if (first && chunk.trim() !== '') {
      first = false;
      if (!chunk.trimStart().startsWith('<')) throw fail('the file is not XML (it does not start with markup)', opts.notXmlHint, 1);
    }
    // Feed in slices so one event-free run (a 2 GB text node, an endless tag) is caught at the limit.
    for (let i = 0; i < chunk.length; i += 1 << 16) {
      const slice = chunk.slice(i, i + (1 << 16));
      guarded(() => parser.write(slice));
      sinceEvent += slice.length;
      if (sinceEvent > MAX_RUN_CHARS) {
        throw fail(`a text node, comment or tag is longer than ${MAX_RUN_CHARS >> 20} MiB`, 'The file is damaged or not a watch list; nothing was stored');
      }
      await drain();
    }
  }
  guarded(() => parser.close());
  await drain();
  if (!sawRoot) throw fail('the file holds no XML element', opts.notXmlHint);
}

/** Direct children with this local name. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** All descendants with this local name, in document order. */
export function descendantsNamed(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

/** Trimmed text of the first direct child with this name, or null when absent or empty. */
export function childText(el: XmlElement, name: string): string | null {
  const c = el.children.find((x) => x.name === name);
  const t = c?.text.replace(/\s+/g, ' ').trim();
  return t ? t : null;
}
