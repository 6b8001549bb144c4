/**
 * Which cell styles show a number as a date: a cell's `s` is an index into `<cellXfs>` of
 * xl/styles.xml, whose `numFmtId` is a built-in format or one of the part's `<numFmts>`.
 */
import { parseXml } from './xlsx-xml.js';
import type { XlsxZip } from './xlsx-zip.js';

/**
 * Built-in formats that are dates or times (ECMA-376 §18.8.30): 14–22 and 45–47 everywhere,
 * 27–36 and 50–58 in the East Asian locales that define them (all dates there).
 */
function isBuiltInDate(id: number): boolean {
  return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

const DATE_LETTERS = /[dmyhs]/i;

/** A custom format is a date when a date or time letter is left once quoted text, [colour]/[locale] parts, escaped characters and padding/fill characters (`_x`, `*x`) are dropped. */
export function isDateFormat(code: string | undefined): boolean {
  if (!code || code === 'General') return false;
  return DATE_LETTERS.test(code.replace(/"[^"]*"|\[[^\]]*\]|[\\_*]./g, ''));
}

/** For every index of `<cellXfs>`, whether it shows numbers as dates. */
export async function readDateStyles(zip: XlsxZip, part: string): Promise<boolean[]> {
  const custom = new Map<number, string>();
  const xfFormats: number[] = [];
  // <numFmt> also appears in <dxfs> and <xf> in <cellStyleXfs>: only the lists that cells use count.
  let inNumFmts = false;
  let inCellXfs = false;
  await parseXml(await zip.open(part), {
    open(name, attributes) {
      if (name === 'numFmts') inNumFmts = true;
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'numFmt' && inNumFmts) custom.set(Number(attributes.numFmtId), attributes.formatCode ?? '');
      else if (name === 'xf' && inCellXfs) xfFormats.push(Number(attributes.numFmtId ?? 0));
    },
    close(name) {
      if (name === 'numFmts') inNumFmts = false;
      else if (name === 'cellXfs') inCellXfs = false;
    },
    text() { /* formats are attributes */ },
  });
  // A format the part defines wins over the built-in one with the same id.
  return xfFormats.map((id) => (custom.has(id) ? isDateFormat(custom.get(id)) : isBuiltInDate(id)));
}
