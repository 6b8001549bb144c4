/**
 * Which text encoding a CSV is in: a byte-order mark decides; else text that is valid UTF-8 is
 * UTF-8; else the single-byte code page whose decoding reads most like Polish, Russian or
 * Ukrainian (letter frequencies, no symbols where letters should be, no case flips inside words).
 */
import iconv from 'iconv-lite';
import type { ImportEncoding } from '../import-contract.js';

export interface Bom {
  encoding: ImportEncoding;
  length: number;
}

/** The BOM at the start of `bytes`; `'utf-32'` for a UTF-32 one (which the import does not take). */
export function bomOf(bytes: Buffer): Bom | 'utf-32' | null {
  if (bytes.length >= 4 && (bytes.readUInt32BE(0) === 0x0000feff || bytes.readUInt32LE(0) === 0x0000feff)) return 'utf-32';
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/**
 * Offset of the first byte that is not valid UTF-8, or -1. With `partialEnd`, a sequence cut by
 * the end of `bytes` (a sample's edge) is not an error.
 */
export function firstInvalidUtf8(bytes: Buffer, partialEnd = false): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) { i++; continue; }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; min = 0x10000; }
    else return i;
    if (i + need >= n) {
      // Cut by the end: an error in a whole file, fine at a sample's edge if valid so far.
      if (!partialEnd) return i;
      for (let k = i + 1; k < n; k++) if ((bytes[k] & 0xc0) !== 0x80) return i;
      return -1;
    }
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** 1-based line of a byte offset. */
export function lineOfOffset(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(10); i !== -1 && i < offset; i = bytes.indexOf(10, i + 1)) line++;
  return line;
}

// Letter frequencies in percent (lower case), from common frequency tables of each language.
const POLISH = relative({
  ą: 0.99, ć: 0.4, ę: 1.11, ł: 1.82, ń: 0.2, ó: 0.85, ś: 0.66, ź: 0.06, ż: 0.83,
});
const RUSSIAN = relative({
  о: 10.97, е: 8.45, а: 8.01, и: 7.35, н: 6.7, т: 6.26, с: 5.47, р: 4.73, в: 4.54, л: 4.4, к: 3.49,
  м: 3.21, д: 2.98, п: 2.81, у: 2.62, я: 2.01, ы: 1.9, ь: 1.74, г: 1.7, з: 1.65, б: 1.59, ч: 1.44,
  й: 1.21, х: 0.97, ж: 0.94, ш: 0.73, ю: 0.64, ц: 0.48, щ: 0.36, э: 0.32, ф: 0.26, ъ: 0.04, ё: 0.04,
});
const UKRAINIAN = relative({
  о: 9.4, а: 7.2, н: 6.5, и: 6.1, і: 5.8, в: 5.4, т: 5.3, е: 4.8, р: 4.6, с: 4.3, к: 3.9, л: 3.6,
  у: 3.4, д: 3.3, м: 3.1, п: 2.8, я: 2.1, з: 2.1, ь: 1.6, б: 1.6, г: 1.5, й: 1.3, ч: 1.2, х: 1.2,
  ж: 0.9, ц: 0.9, ю: 0.9, ї: 0.9, ш: 0.9, щ: 0.5, є: 0.4, ф: 0.3, ґ: 0.05,
});

/** Punctuation and signs these code pages carry that real text uses; neither reward nor penalty. */
const NEUTRAL = new Set([...'\u00a0«»„“”‘’‚–—…€№°©®·•™§']);

const SINGLE_BYTE: { encoding: ImportEncoding; languages: Record<string, number>[] }[] = [
  // Order breaks ties: the Windows code pages are what spreadsheet programs save on Windows.
  { encoding: 'windows-1250', languages: [POLISH] },
  { encoding: 'iso-8859-2', languages: [POLISH] },
  { encoding: 'windows-1251', languages: [RUSSIAN, UKRAINIAN] },
  { encoding: 'koi8-r', languages: [RUSSIAN] },
  { encoding: 'koi8-u', languages: [UKRAINIAN, RUSSIAN] },
];

/** Shares of each letter among the language's non-ASCII letters, so the languages compare. */
function relative(freq: Record<string, number>): Record<string, number> {
  const sum = Object.values(freq).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(freq).map(([k, v]) => [k, (v * 100) / sum]));
}

const isLetter = (ch: string) => /\p{L}/u.test(ch);
const scriptOf = (ch: string) => (/\p{Script=Latin}/u.test(ch) ? 'latin' : /\p{Script=Cyrillic}/u.test(ch) ? 'cyrillic' : null);
const isUpper = (ch: string) => ch !== ch.toLowerCase() && ch === ch.toUpperCase();
const isLower = (ch: string) => ch !== ch.toUpperCase() && ch === ch.toLowerCase();

/** How much `text` (decoded) reads like the language: per non-ASCII character, higher is better. */
function languageScore(text: string, freq: Record<string, number>): number {
  let score = 0;
  let count = 0;
  let prev = '';
  for (const ch of text) {
    if (ch.charCodeAt(0) >= 0x80) {
      count++;
      const f = freq[ch.toLowerCase()];
      if (f !== undefined) score += Math.log(f) + 2;
      else if (NEUTRAL.has(ch)) score += 0;
      else if (isLetter(ch)) score -= 4;
      else score -= 8;
      // Reading KOI8 as Windows-1251 (or the reverse) swaps upper and lower case: "пРИВЕТ".
      if (isUpper(ch) && isLower(prev)) score -= 4;
    }
    // A word switching between Latin and Cyrillic letters ("wiкszoњж") is a wrong code page.
    if (prev && (ch.charCodeAt(0) >= 0x80 || prev.charCodeAt(0) >= 0x80)) {
      const a = scriptOf(prev);
      const b = scriptOf(ch);
      if (a && b && a !== b) score -= 8;
    }
    prev = ch;
  }
  return count ? score / count : 0;
}

/** The single-byte code page that reads best; for bytes that are not UTF-8. */
export function guessSingleByte(bytes: Buffer): ImportEncoding {
  let best: ImportEncoding = 'windows-1250';
  let bestScore = -Infinity;
  for (const { encoding, languages } of SINGLE_BYTE) {
    const text = iconv.decode(bytes, encoding);
    const score = Math.max(...languages.map((l) => languageScore(text, l)));
    if (score > bestScore) { best = encoding; bestScore = score; }
  }
  return best;
}

/** Characters that UTF-8 text in these languages has; other ones in a "valid" line mean a coincidence of single-byte text. */
const PLAUSIBLE_UTF8 = /^[\u00c0-\u017f\u0400-\u045f\u0490\u0491\u00a0\u00ab\u00bb\u00b0\u00a9\u00ae\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2026\u20ac\u2116]$/u;

/**
 * For a sample that is not valid UTF-8: the first line that is not, when other lines are UTF-8
 * with real non-ASCII text (a file pieced together from two sources); else null.
 */
export function mixedEncodingLine(bytes: Buffer): number | null {
  let utf8Chars = 0;
  let firstBad: number | null = null;
  let start = 0;
  for (let line = 1; start < bytes.length; line++) {
    let end = bytes.indexOf(10, start);
    if (end === -1) end = bytes.length;
    const slice = bytes.subarray(start, end);
    let nonAscii = false;
    for (const b of slice) if (b >= 0x80) { nonAscii = true; break; }
    if (nonAscii) {
      if (firstInvalidUtf8(slice, end === bytes.length) === -1) {
        const extra = [...slice.toString('utf8')].filter((ch) => ch.charCodeAt(0) >= 0x80);
        if (extra.every((ch) => PLAUSIBLE_UTF8.test(ch))) utf8Chars += extra.length;
      } else if (firstBad === null) firstBad = line;
    }
    start = end + 1;
  }
  return utf8Chars >= 2 && firstBad !== null ? firstBad : null;
}

/** UTF-16 without a BOM: every other byte of ASCII text is zero. */
export function utf16WithoutBom(bytes: Buffer): ImportEncoding | null {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 4) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZero++;
    if (bytes[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.4 && evenZero < pairs * 0.05) return 'utf-16le';
  if (evenZero > pairs * 0.4 && oddZero < pairs * 0.05) return 'utf-16be';
  return null;
}

export type EncodingVerdict =
  | { encoding: ImportEncoding; bomLength: number }
  | { mixedLine: number };

/**
 * Length of a UTF-16 or UTF-32 byte-order mark in front of text that is not in that encoding
 * (programs that prepend a mark to UTF-8 text): skipped when reading as `encoding`.
 */
export function strayBomLength(head: Buffer, encoding: ImportEncoding): number {
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return 0;
  const bom = bomOf(head);
  if (bom === 'utf-32') return 4;
  return bom && bom.encoding !== 'utf-8' ? bom.length : 0;
}

/** Detects the encoding of a file's first bytes (`complete` when they are the whole file). */
export function detectEncoding(sample: Buffer, complete: boolean): EncodingVerdict | 'utf-32' {
  const bom = bomOf(sample);
  if (bom === 'utf-32' || (bom && bom.encoding !== 'utf-8')) {
    const length = bom === 'utf-32' ? 4 : bom.length;
    // Text in UTF-16 or UTF-32 has zero bytes (its delimiters and digits); without any, the mark is stray.
    if (sample.subarray(length).includes(0)) return bom === 'utf-32' ? 'utf-32' : { encoding: bom.encoding, bomLength: length };
    const rest = detectEncoding(sample.subarray(length), complete);
    return rest === 'utf-32' || 'mixedLine' in rest ? rest : { encoding: rest.encoding, bomLength: length };
  }
  if (bom) return { encoding: bom.encoding, bomLength: bom.length };
  const utf16 = utf16WithoutBom(sample);
  if (utf16) return { encoding: utf16, bomLength: 0 };
  if (firstInvalidUtf8(sample, !complete) === -1) return { encoding: 'utf-8', bomLength: 0 };
  const mixed = mixedEncodingLine(sample);
  if (mixed !== null) return { mixedLine: mixed };
  return { encoding: guessSingleByte(sample), bomLength: 0 };
}
