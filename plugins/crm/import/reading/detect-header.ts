/**
 * Whether a file's first row names its columns. A header's cells are filled, distinct and read
 * like words; data has numbers, e-mails, phones, dates and links. A column whose first cell is a
 * word while the cells below are such values is the strongest sign; a first row holding such
 * values is the strongest sign against. When nothing tells, the first row is taken as a header,
 * as most exported files have one (the user can change it in the preview).
 */

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const NUMBER = /^[-+]?(\d{1,3}([ \u00a0.,']\d{3})+|\d+)([.,]\d+)?%?$/;
const PHONE = /^\+?[\d\s().\-/]{6,}(\s*(x|ext\.?|wew\.?|доб\.?)\s*\d+)?$/i;
const DATE = /^\d{1,4}[-./]\d{1,2}[-./]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?)?$/;
const URL = /^(https?:\/\/|www\.)\S+$/i;

/** A value no column name looks like. */
export function looksLikeData(cell: string): boolean {
  const v = cell.trim();
  if (!v) return false;
  if (EMAIL.test(v) || NUMBER.test(v) || DATE.test(v) || URL.test(v)) return true;
  return PHONE.test(v) && (v.match(/\d/g)?.length ?? 0) >= 6;
}

export function detectHeader(rows: string[][]): boolean {
  if (rows.length === 0) return true;
  const [first, ...rest] = rows;
  if (first.some(looksLikeData)) return false;
  let score = 0;
  for (let col = 0; col < first.length; col++) {
    const below = rest.map((r) => r[col] ?? '').filter((v) => v.trim());
    if (!below.length) continue;
    const dataShare = below.filter(looksLikeData).length / below.length;
    if (first[col].trim() && dataShare >= 0.5) score += 2;
    // A first cell repeated below in its column is a value, not a name.
    if (first[col].trim() && below.includes(first[col])) score -= 1;
  }
  const filled = first.filter((c) => c.trim());
  if (filled.length < first.length) score -= 1;
  if (new Set(filled.map((c) => c.trim().toLowerCase())).size < filled.length) score -= 1;
  return score >= 0;
}
