/**
 * Streams a part's XML through saxes into a handler: tags by their local name (a writer may put
 * the SpreadsheetML elements under any prefix, e.g. `<x:row>`), attributes as written, text and
 * CDATA alike. saxes decodes entities and character references and knows no DTD entities, so
 * nothing in a file can make it expand text.
 */
import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';

export interface XmlHandler {
  open(name: string, attributes: Record<string, string>): void;
  close(name: string): void;
  text(text: string): void;
}

/** `x:row` → `row`. */
export const localName = (name: string): string => {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
};

/** An attribute by its local name, whatever prefix it has (`r:id` under another prefix is still `id`). */
export function prefixedAttribute(attributes: Record<string, string>, local: string): string | undefined {
  for (const [name, value] of Object.entries(attributes)) {
    if (name.includes(':') && localName(name) === local) return value;
  }
  return undefined;
}

/**
 * Parses `stream` chunk by chunk and yields after each chunk, so a caller can pass on what the
 * handler collected before more is read. A caller that stops early destroys the stream (the
 * for-await below closes it). Malformed XML throws.
 */
export async function* parseXmlChunks(stream: Readable, handler: XmlHandler): AsyncGenerator<void> {
  // Positions are only for error messages, which are not shown: tracking them costs time.
  const parser = new SaxesParser<{ xmlns: false; position: false }>({ xmlns: false, position: false });
  parser.on('opentag', (tag: SaxesTagPlain) => handler.open(localName(tag.name), tag.attributes));
  parser.on('closetag', (tag: SaxesTagPlain) => handler.close(localName(tag.name)));
  parser.on('text', (text) => handler.text(text));
  parser.on('cdata', (text) => handler.text(text));
  // A multi-byte character may be split between chunks; the decoder keeps the partial bytes (and drops a BOM).
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of stream) {
    parser.write(decoder.decode(chunk as Buffer, { stream: true }));
    yield;
  }
  parser.write(decoder.decode());
  // Throws when the document is cut off (an element left open).
  parser.close();
  yield;
}

/** Parses a whole (small) part. */
export async function parseXml(stream: Readable, handler: XmlHandler): Promise<void> {
  for await (const _ of parseXmlChunks(stream, handler)) { /* the handler collects */ }
}
