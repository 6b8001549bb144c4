/**
 * Limits of what an import file may be. The upload (web/) enforces the file size; reading
 * enforces the rest, so a hostile or broken file is refused before it costs memory or time.
 */

/** Default largest upload, in bytes; the web part passes it to multer. */
export const MAX_IMPORT_FILE_BYTES = 200 * 1024 * 1024;

/** More columns than any contact export has; a row wider than this is refused. */
export const MAX_IMPORT_COLUMNS = 500;

/** Excel's own limit for a cell's text. */
export const MAX_IMPORT_CELL_CHARS = 32_767;

/** A CSV record (all its cells, quotes included) longer than this is refused, so an unclosed quote cannot swallow the file into memory. */
export const MAX_IMPORT_RECORD_CHARS = 1024 * 1024;

/** XLSX (a zip): refused when the central directory declares more than this in total... */
export const MAX_ZIP_UNCOMPRESSED_BYTES = 200 * 1024 * 1024;
/** ...or more entries than this... */
export const MAX_ZIP_ENTRIES = 10_000;
/** ...or an entry that inflates more than this many times its packed size (checked for entries above MIN_RATIO_CHECK_BYTES; tiny entries have meaningless ratios). */
export const MAX_ZIP_RATIO = 100;
export const MIN_RATIO_CHECK_BYTES = 1024 * 1024;

/** How much of a CSV is read to detect its encoding, and (as text) its delimiter and header. */
export const SNIFF_BYTES = 1024 * 1024;
/** How many lines of that decide the delimiter. */
export const SNIFF_LINES = 50;
