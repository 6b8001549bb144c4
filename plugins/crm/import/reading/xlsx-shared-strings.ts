/**
 * xl/sharedStrings.xml: the texts that `t="s"` cells point at by index, so they are kept for the
 * whole read. An `<si>` is plain (`<t>`) or rich text (runs `<r><t>`, concatenated); phonetic
 * guides (`<rPh>`) are not part of the text. Kept trimmed, as every text cell is.
 */
import { parseXml } from './xlsx-xml.js';
import type { XlsxZip } from './xlsx-zip.js';

/** Collects the text of `<t>` elements inside a string item (`<si>` here, `<is>` in a cell), skipping phonetic runs. */
export class StringItemText {
  private depthInPhonetic = 0;
  private inText = false;
  text = '';

  open(name: string): void {
    if (name === 'rPh') this.depthInPhonetic++;
    else if (name === 't' && !this.depthInPhonetic) this.inText = true;
  }

  close(name: string): void {
    if (name === 'rPh') this.depthInPhonetic--;
    else if (name === 't') this.inText = false;
  }

  /** Whitespace is kept as written (xml:space="preserve" or not) so runs join as they show; the whole is trimmed later. */
  add(text: string): void {
    if (this.inText) this.text += text;
  }

  reset(): void {
    this.depthInPhonetic = 0;
    this.inText = false;
    this.text = '';
  }
}

export async function readSharedStrings(zip: XlsxZip, part: string): Promise<string[]> {
  const strings: string[] = [];
  const item = new StringItemText();
  let inItem = false;
  await parseXml(await zip.open(part), {
    open(name) {
      if (name === 'si') { inItem = true; item.reset(); } else if (inItem) item.open(name);
    },
    close(name) {
      if (name === 'si') { inItem = false; strings.push(item.text.trim()); } else if (inItem) item.close(name);
    },
    text(text) {
      if (inItem) item.add(text);
    },
  });
  return strings;
}
