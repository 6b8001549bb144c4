/**
 * Streams the rows of an XLSX's first worksheet, after the zip guard has checked the file: the
 * package parts say which sheet that is (xlsx-package.ts), the shared strings are kept for the
 * read, the styles say which cells are dates, and the sheet's XML is parsed chunk by chunk, never
 * whole in memory. Every cell becomes the text a person sees in it (xlsx-cell-text.ts).
 */
import { HttpError } from '../../../../host/api.js';
import type { ImportRow } from '../import-contract.js';
import { importFileError } from './errors.js';
import { MAX_IMPORT_COLUMNS } from './limits.js';
import { checkRow } from './row-limits.js';
import { cellText } from './xlsx-cell-text.js';
import { readPackage } from './xlsx-package.js';
import { readSharedStrings, StringItemText } from './xlsx-shared-strings.js';
import { readDateStyles } from './xlsx-styles.js';
import { parseXmlChunks, type XmlHandler } from './xlsx-xml.js';
import { XlsxZip } from './xlsx-zip.js';
import { assertSafeZip } from './zip-guard.js';

/** A row read from the sheet; `beyond` is the last column with a value past MAX_IMPORT_COLUMNS (those are not stored). */
interface SheetRow extends ImportRow {
  beyond: number;
}

/** The column of a reference: `C5` → 3; 0 when it has no letters. */
function columnOf(ref: string): number {
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20; // lower-cased
    if (c < 0x61 || c > 0x7a) break;
    col = col * 26 + c - 0x60;
  }
  return col;
}

/** Turns the sheet's XML events into rows of cell texts; `take()` hands out the rows finished so far. */
class SheetRows implements XmlHandler {
  private finished: SheetRow[] = [];
  private inSheetData = false;
  private row: SheetRow | null = null;
  private lastLine = 0;
  private col = 0;
  // The cell being read.
  private inCell = false;
  private type: string | undefined;
  private style = 0;
  private value = '';
  private inValue = false;
  private inlineString: StringItemText | null = null;
  private readonly inline = new StringItemText();

  constructor(
    private readonly strings: string[],
    private readonly dateStyles: boolean[],
    private readonly date1904: boolean,
  ) {}

  take(): SheetRow[] {
    const rows = this.finished;
    this.finished = [];
    return rows;
  }

  open(name: string, a: Record<string, string>): void {
    if (this.inlineString) { this.inlineString.open(name); return; }
    switch (name) {
      case 'sheetData': this.inSheetData = true; break;
      case 'row': {
        if (!this.inSheetData) break;
        // A row without its number follows the previous one.
        const line = a.r ? parseInt(a.r, 10) : NaN;
        this.lastLine = Number.isNaN(line) ? this.lastLine + 1 : line;
        this.row = { line: this.lastLine, cells: [], beyond: 0 };
        this.col = 0;
        break;
      }
      case 'c':
        if (!this.row) break;
        // A cell without its reference follows the previous one.
        this.col = (a.r && columnOf(a.r)) || this.col + 1;
        this.inCell = true;
        this.type = a.t;
        this.style = a.s ? parseInt(a.s, 10) : 0;
        this.value = '';
        break;
      case 'v': this.inValue = this.inCell; break;
      case 'is':
        if (!this.inCell) break;
        this.inlineString = this.inline;
        this.inline.reset();
        break;
    }
  }

  close(name: string): void {
    if (this.inlineString) {
      if (name !== 'is') { this.inlineString.close(name); return; }
      this.value = this.inlineString.text;
      this.type = 'inlineStr';
      this.inlineString = null;
      return;
    }
    switch (name) {
      case 'v': this.inValue = false; break;
      case 'c': if (this.inCell) this.endCell(); break;
      case 'row':
        if (this.row && (this.row.cells.length || this.row.beyond)) this.finished.push(this.row);
        this.row = null;
        break;
      case 'sheetData': this.inSheetData = false; break;
    }
  }

  text(text: string): void {
    if (this.inValue) this.value += text;
    else if (this.inlineString) this.inlineString.add(text);
  }

  /** Empty cells are not stored, so a row ends at its last value; gaps before a value become ''. */
  private endCell(): void {
    this.inCell = false;
    const text = this.type === 's'
      ? (this.strings[parseInt(this.value, 10)] ?? '')
      : cellText(this.type, this.value, this.dateStyles[this.style] === true, this.date1904);
    if (!text) return;
    const row = this.row!;
    const cells = row.cells;
    // A reference far to the right (XFD is column 16,384) must not pad a huge row: the row is refused anyway.
    if (this.col > MAX_IMPORT_COLUMNS) { row.beyond = Math.max(row.beyond, this.col); return; }
    while (cells.length < this.col - 1) cells.push('');
    cells[this.col - 1] = text;
  }
}

/** Every non-empty row of the first worksheet with its row number, the header row included; rows end at their last value. */
export async function* readXlsxRecords(path: string): AsyncGenerator<ImportRow> {
  await assertSafeZip(path);
  let zip: XlsxZip | null = null;
  try {
    zip = await XlsxZip.open(path);
    const parts = await readPackage(zip);
    const strings = parts.sharedStrings ? await readSharedStrings(zip, parts.sharedStrings) : [];
    const dateStyles = parts.styles ? await readDateStyles(zip, parts.styles) : [];
    const sheet = new SheetRows(strings, dateStyles, parts.date1904);
    for await (const _ of parseXmlChunks(await zip.open(parts.sheet), sheet)) {
      for (const { line, cells, beyond } of sheet.take()) {
        if (beyond) throw importFileError('import_too_many_columns', { line, count: beyond, max: MAX_IMPORT_COLUMNS });
        checkRow(cells, line);
        yield { line, cells };
      }
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw importFileError('import_unreadable');
  } finally {
    // Leaving early (a preview) closes the sheet's stream above and, with this, the file.
    zip?.close();
  }
}
