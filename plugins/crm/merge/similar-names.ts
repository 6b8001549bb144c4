/**
 * Whether two persons' names may be one person written twice: the duplicate finder's "similar
 * name" test, applied only to persons of the same company. Names are compared folded (case,
 * Latin diacritics), and two names are similar when
 * - they have the same words in any order ("Kowalska Anna" / "Anna Kowalska"), or
 * - their last names are equal or one typo apart (one letter added, dropped, changed, or two
 *   neighbours swapped; names of 5 letters or more only), and their first names agree: equal,
 *   one an initial or a word of the other ("J." / "Jan", "Anna" / "Anna Maria"), one typo apart
 *   (4 letters or more: "Ania" / "Anna", but not "Jan" / "Jana"), or missing on one side when the
 *   last names are equal.
 */
import { foldText } from '../services/normalize/text.js';

export interface PersonName {
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
}

/** A name folded once for many comparisons. */
export interface FoldedName {
  first: string;
  last: string;
  /** Every word of the name, sorted: the same words in another order give the same key. */
  words: string;
}

const WORDS = /[\p{L}\p{N}]+/gu;

const fold = (s: string | null): string => (s ? (foldText(s).match(WORDS) ?? []).join(' ') : '');

export function foldName(name: PersonName): FoldedName {
  const first = fold(name.first_name);
  const last = fold(name.last_name);
  const words = [first, fold(name.middle_name), last].join(' ').split(' ').filter(Boolean).sort().join(' ');
  return { first, last, words };
}

/** Whether a becomes b with at most one edit: insert, delete, substitute, or swap two neighbours. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const [x, y] = a.length <= b.length ? [a, b] : [b, a];
  if (y.length - x.length > 1) return false;
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  if (x.length === y.length) {
    if (x.slice(i + 1) === y.slice(i + 1)) return true; // one substitution
    return x[i] === y[i + 1] && x[i + 1] === y[i] && x.slice(i + 2) === y.slice(i + 2); // neighbours swapped
  }
  return x.slice(i) === y.slice(i + 1); // one letter more in y
}

function lastNamesClose(a: string, b: string): boolean {
  if (a === b) return true;
  return Math.min(a.length, b.length) >= 5 && withinOneEdit(a, b);
}

function firstNamesAgree(a: string, b: string, lastEqual: boolean): boolean {
  if (!a || !b) return lastEqual;
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length === 1 ? long.startsWith(short) : long.split(' ').includes(short)) return true;
  return short.length >= 4 && withinOneEdit(a, b);
}

export function similarNames(a: FoldedName, b: FoldedName): boolean {
  if (!a.words || !b.words) return false;
  if (a.words === b.words) return true;
  if (!a.last || !b.last || !lastNamesClose(a.last, b.last)) return false;
  return firstNamesAgree(a.first, b.first, a.last === b.last);
}
