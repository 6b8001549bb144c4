/**
 * Text folding for search keys. SQLite's LIKE only folds ASCII case, so the CRM stores a folded copy
 * of names and searches that: lower case, Latin diacritics removed, Cyrillic kept as Cyrillic.
 */

/** Latin letters that NFKD does not decompose into a base letter plus combining marks. */
const LATIN_EXTRA: Readonly<Record<string, string>> = {
  ł: 'l',
  đ: 'd',
  ð: 'd',
  ø: 'o',
  ß: 'ss',
  ẞ: 'ss',
  æ: 'ae',
  œ: 'oe',
  þ: 'th',
  ħ: 'h',
  ı: 'i',
  ŀ: 'l',
  ŧ: 't',
};
const LATIN_EXTRA_RE = new RegExp(`[${Object.keys(LATIN_EXTRA).join('')}]`, 'gu');

/** A Latin letter followed by combining marks (after NFKD): the marks are dropped. */
const LATIN_WITH_MARKS = /(\p{Script=Latin})\p{M}+/gu;
/**
 * Invisible format characters (soft hyphen, zero-width space/joiners, BOM, bidi marks) and control
 * characters other than whitespace (NUL, BEL...): nothing to search or sort by.
 */
// eslint-disable-next-line no-control-regex -- these control characters are exactly what is removed
const FORMAT_CHARS = /[\p{Cf}\x00-\x08\x0e-\x1f\x7f-\x9f]+/gu;

/**
 * Folds text into a search key: lower case; Latin letters without diacritics (Polish ą ć ę ł ń ó ś ź ż
 * and any letter NFKD can split); Cyrillic stays Cyrillic (ё becomes е; й, ї, ў keep their marks; є, і,
 * ґ are separate letters anyway); invisible format and control characters removed; whitespace collapsed and trimmed.
 */
export function foldText(s: string): string {
  // Printable ASCII has nothing to fold but case and spaces.
  if (PRINTABLE_ASCII.test(s)) return s.toLowerCase().replace(SPACES, ' ').trim();
  let folded = recentlyFolded.get(s);
  if (folded === undefined) {
    folded = foldUnicode(s);
    remember(recentlyFolded, s, folded);
  }
  return folded;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const SPACES = / {2,}/g;

/**
 * Folds of recent texts and words of recent parts: names repeat through a file or a page of
 * contacts (first names, cities, companies), and folding Unicode is the costly part. Emptied
 * when full, which keeps them small without bookkeeping.
 */
const MEMO_SIZE = 10_000;
const recentlyFolded = new Map<string, string>();
const recentWords = new Map<string, string[]>();

function remember<V>(memo: Map<string, V>, key: string, value: V): void {
  if (memo.size >= MEMO_SIZE) memo.clear();
  memo.set(key, value);
}

function foldUnicode(s: string): string {
  return s
    .toLowerCase()
    .replace(LATIN_EXTRA_RE, (ch) => LATIN_EXTRA[ch] ?? ch)
    .normalize('NFKD')
    .replace(LATIN_WITH_MARKS, '$1')
    .normalize('NFC') // puts й (и + breve), ї (і + diaeresis) and ё back together
    .replace(/ё/gu, 'е')
    .replace(FORMAT_CHARS, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** The sort and match key of a name (`name_key`, 190 characters as its column holds): folded text. */
export function nameKey(name: string): string {
  return foldText(name).slice(0, 190);
}

export const MAX_TERM_LENGTH = 64;
export const MAX_TERMS = 32;

/** A word: letters, digits and marks, with single inner joiners (hyphen, apostrophe, dot, underscore). */
const WORD = /[\p{L}\p{N}\p{M}]+(?:[-'._][\p{L}\p{N}\p{M}]+)*/gu;
const JOINER = /[-'._]/u;
const APOSTROPHES = /[\u2019\u02bc\u2018`\u00b4]/gu;
const DASHES = /[\u2010\u2011\u2012\u2013\u2014\u2212]/gu;

function clip(term: string): string {
  // No more UTF-16 units than the limit: no more characters either.
  if (term.length <= MAX_TERM_LENGTH) return term;
  const chars = Array.from(term);
  return chars.length > MAX_TERM_LENGTH ? chars.slice(0, MAX_TERM_LENGTH).join('') : term;
}

/** Adds a term; false once there are as many as a contact keeps. (Not a closure made per call: tsx names every closure it makes, at a cost.) */
function addTerm(terms: Set<string>, t: string): boolean {
  if (t) terms.add(clip(t));
  return terms.size < MAX_TERMS;
}

/**
 * The unique folded words of the given parts, in order of appearance, for a search index. Words are
 * split on whitespace and punctuation (including `@`, so no term contains one); a word joined by
 * hyphens, apostrophes, dots or underscores is kept whole and also gives its pieces:
 * "Kowalska-Nowak" gives "kowalska-nowak", "kowalska", "nowak". Each term is at most 64 characters,
 * and there are at most 32 terms. Empty, null and undefined parts are skipped.
 */
export function searchTerms(...parts: Array<string | null | undefined>): string[] {
  const terms = new Set<string>();
  for (const part of parts) {
    if (!part) continue;
    for (const word of wordsOf(part)) if (!addTerm(terms, word)) return [...terms];
  }
  return [...terms];
}

/** A part's folded words in order, each word joined by hyphens and the like followed by its pieces. */
function wordsOf(part: string): string[] {
  let words = recentWords.get(part);
  if (words) return words;
  words = [];
  const folded = foldText(part).replace(APOSTROPHES, "'").replace(DASHES, '-');
  for (const [word] of folded.matchAll(WORD)) {
    words.push(word);
    if (JOINER.test(word)) for (const piece of word.split(/[-'._]+/u)) words.push(piece);
  }
  remember(recentWords, part, words);
  return words;
}

export interface NameParts {
  kind: 'person' | 'company';
  first_name?: string | null;
  middle_name?: string | null;
  last_name?: string | null;
  company_name?: string | null;
}

function clean(s: string | null | undefined): string {
  return (s ?? '').replace(/\s+/gu, ' ').trim();
}

/**
 * The name to show for a contact. A person is "First Middle Last" (empty parts skipped), falling back
 * to the company name; a company is its company name, falling back to the person's name. Never null.
 */
export function displayName(c: NameParts): string {
  const person = [c.first_name, c.middle_name, c.last_name].map(clean).filter(Boolean).join(' ');
  const company = clean(c.company_name);
  return c.kind === 'company' ? company || person : person || company;
}
