/** Segment colours: Bootstrap's palette for new ones, and what text reads on them. */
export const PALETTE = ['#0d6efd', '#6610f2', '#6f42c1', '#d63384', '#dc3545', '#fd7e14', '#ffc107', '#198754', '#20c997', '#0dcaf0', '#6c757d', '#795548'];

const HEX = /^#[0-9a-f]{6}$/i;

export const isColor = (value: unknown): value is string => typeof value === 'string' && HEX.test(value);

/** A colour for a new segment, varied by its name so neighbours in the panel differ. */
export function defaultColor(name: string): string {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}
