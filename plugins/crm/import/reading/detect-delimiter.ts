/**
 * Which of comma, semicolon and tab separates a CSV's fields: the one found the same number of
 * times (outside quotes) on most of the first lines. Semicolons are what spreadsheet programs
 * write where the comma is the decimal separator (Poland, Russia, Ukraine).
 */
import { IMPORT_DELIMITERS, type ImportDelimiter } from '../import-contract.js';
import { SNIFF_LINES } from './limits.js';

/** Per line (quoted line breaks stay inside their line), how often each delimiter occurs outside quotes. */
function countsPerLine(text: string, maxLines: number): Map<ImportDelimiter, number[]> {
  const counts = new Map<ImportDelimiter, number[]>(IMPORT_DELIMITERS.map((d) => [d, []]));
  let current = new Map<string, number>();
  let inQuotes = false;
  let lineHasText = false;
  let lines = 0;
  const endLine = () => {
    if (lineHasText) {
      for (const d of IMPORT_DELIMITERS) counts.get(d)!.push(current.get(d) ?? 0);
      lines++;
    }
    current = new Map();
    lineHasText = false;
  };
  for (let i = 0; i < text.length && lines < maxLines; i++) {
    const ch = text[i];
    if (ch === '"') { inQuotes = !inQuotes; lineHasText = true; continue; }
    if (inQuotes) continue;
    if (ch === '\n' || ch === '\r') { endLine(); continue; }
    if (ch === ',' || ch === ';' || ch === '\t') current.set(ch, (current.get(ch) ?? 0) + 1);
    if (ch.trim()) lineHasText = true;
  }
  // The last line counts only when the sample holds it whole (it ends the text).
  if (lines < maxLines) endLine();
  return counts;
}

/** The most common value and the share of lines that have it. */
function mode(values: number[]): { value: number; share: number } {
  const freq = new Map<number, number>();
  for (const v of values) freq.set(v, (freq.get(v) ?? 0) + 1);
  let value = 0;
  let best = 0;
  for (const [v, n] of freq) if (n > best || (n === best && v > value)) { value = v; best = n; }
  return { value, share: values.length ? best / values.length : 0 };
}

/** The delimiter of a CSV from its first lines (decoded text); a comma when nothing tells. */
export function detectDelimiter(text: string): ImportDelimiter {
  let best: ImportDelimiter = ',';
  let bestShare = 0;
  let bestValue = 0;
  for (const [d, values] of countsPerLine(text, SNIFF_LINES)) {
    const { value, share } = mode(values);
    if (value === 0) continue;
    if (share > bestShare + 1e-9 || (Math.abs(share - bestShare) < 1e-9 && value > bestValue)) {
      best = d; bestShare = share; bestValue = value;
    }
  }
  return best;
}
