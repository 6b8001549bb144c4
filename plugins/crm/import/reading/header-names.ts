/** Column names for the mapping: unique, never empty. */
import type { ReadWarning } from '../import-contract.js';

/**
 * The header row's cells made unique case-insensitively ("Email", "Email (2)"); an empty cell is
 * named by its column number. One warning per repeated name.
 */
export function uniqueHeaders(cells: string[]): { headers: string[]; warnings: ReadWarning[] } {
  const seen = new Map<string, number>();
  const taken = new Set(cells.map((c) => c.trim().toLowerCase()));
  const repeated = new Map<string, { name: string; count: number }>();
  const headers = cells.map((cell, i) => {
    const base = cell.trim() || String(i + 1);
    const key = base.toLowerCase();
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n === 1) return base;
    if (cell.trim()) repeated.set(key, { name: repeated.get(key)?.name ?? cells.find((c) => c.trim().toLowerCase() === key)!.trim(), count: n });
    let k = n;
    let name = `${base} (${k})`;
    while (taken.has(name.toLowerCase())) name = `${base} (${++k})`;
    taken.add(name.toLowerCase());
    return name;
  });
  const warnings = [...repeated.values()].map(({ name, count }) => ({
    messageKey: 'crm:import-file.duplicate_header',
    params: { name, count },
  }));
  return { headers, warnings };
}

/** "1", "2", ... for a file without a header row. */
export function numberedHeaders(width: number): string[] {
  return Array.from({ length: width }, (_, i) => String(i + 1));
}
