/**
 * The text a person sees in an XLSX cell, from its type (`t`), its raw value and whether its
 * style shows numbers as dates: numbers without float noise, dates as YYYY-MM-DD (with the time
 * when there is one), booleans as true/false, a formula's cached result (never evaluated).
 */

/** Excel keeps 15 significant digits; the XML may carry 17 ("0.30000000000000004"). */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (Number.isSafeInteger(n)) return String(n);
  return String(Number(n.toPrecision(15)));
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A date whose UTC fields are the sheet's wall-clock time (a sheet has no time zone). */
export function formatDate(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const ms = d.getTime() % 86_400_000;
  if (ms === 0) return day;
  const s = Math.round(ms / 1000);
  return `${day} ${pad(Math.floor(s / 3600) % 24)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** Excel's serial day (the 1900 system, with its phantom 29 February 1900) as a UTC date. */
function serialToDate(serial: number, date1904: boolean): Date {
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  return new Date(epoch + Math.round(serial * 86_400_000));
}

/** A `t="d"` value: ISO 8601 wall-clock time, a date, or a time of day alone (which a serial below 1 would show). */
function isoToDate(iso: string): Date {
  if (/^\d{1,2}:\d\d/.test(iso)) iso = `1899-12-30T${iso}`;
  // Without a zone the time is the sheet's wall clock: read it as UTC like serials.
  if (/T[\d:.]+$/.test(iso)) iso += 'Z';
  return new Date(iso);
}

/**
 * `value` is the text of the cell's `<v>` (or of its `<is>` for an inline string; for a shared
 * string, the string itself). Types: s/inlineStr/str text, b boolean, e error, d ISO date,
 * anything else a number.
 */
export function cellText(type: string | undefined, value: string, isDate: boolean, date1904: boolean): string {
  switch (type) {
    case 's':
    case 'inlineStr':
    case 'str':
      return value.trim();
    case 'b':
      return value === '' ? '' : value === '1' || value === 'true' ? 'true' : 'false';
    case 'e':
      return value;
    case 'd':
      return value === '' ? '' : formatDate(isoToDate(value.trim()));
    default: {
      if (value === '') return '';
      const n = parseFloat(value);
      return isDate ? formatDate(serialToDate(n, date1904)) : formatNumber(n);
    }
  }
}
