/**
 * A one-sheet XLSX written as it goes: the sheet's XML is built here as plain strings (text as
 * inline strings, numbers as values), one flat string per row encoded straight into UTF-8 chunks
 * (export-chunks.ts), and zipped by ZipWriter, whose deflate and CRC-32 run in libuv's thread pool,
 * off the main thread. exceljs's streaming writer (the stack's spreadsheet library, still used to
 * read imports) built a cell object per cell and managed about 70,000 rows a second on its own —
 * with the database work in the same thread an export of 100,000 rows could not reach the 60,000
 * rows a second it must. The parts are the minimal package Excel and LibreOffice open: content
 * types, the package and workbook relations, the workbook, a style sheet (a bold header) and the
 * sheet, whose header row is frozen. Writing the sheet in a worker thread of its own was measured
 * too: on two cores, shared with the database, it exported no faster (copying each page of cells
 * to the thread cost about what it saved here) and held some 30 MB more.
 */
import type { Writable } from 'node:stream';
import { Utf8Chunks } from './export-chunks.js';
import { ZipWriter } from './export-zip.js';

export type XlsxCell = string | number | boolean | null;

/** Excel refuses longer text in a cell. */
export const MAX_CELL_TEXT = 32_767;
/**
 * Fast deflate: the sheet is mostly repeated markup. On the 54 MB sheet of 100,000 contacts level 1
 * gave 10.2 MB for 0.21–0.22 s of CPU, level 2 9.9 MB for 0.22–0.23 s, level 3 9.65 MB for 0.29 s,
 * level 6 (zlib's default) 8.8 MB for 0.53–0.55 s. The deflate shares the host's cores with the
 * database and the export's own thread, so the 3% that level 2 saves is not worth its extra work.
 */
const COMPRESSION_LEVEL = 1;

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';

const STATIC_PARTS: Array<[string, string]> = [
  [
    '[Content_Types].xml',
    `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
      '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
      '</Types>',
  ],
  [
    '_rels/.rels',
    `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">` +
      `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/>` +
      '</Relationships>',
  ],
  [
    'xl/_rels/workbook.xml.rels',
    `${XML_HEAD}<Relationships xmlns="${PKG_REL_NS}">` +
      `<Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>` +
      `<Relationship Id="rId2" Type="${REL_NS}/styles" Target="styles.xml"/>` +
      '</Relationships>',
  ],
  [
    'xl/styles.xml',
    // Style 0 is the default; style 1 is the bold header.
    `${XML_HEAD}<styleSheet xmlns="${MAIN_NS}">` +
      '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
      '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
      '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
      '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
      '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>' +
      '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
      '</styleSheet>',
  ],
];

// Characters XML 1.0 does not allow at all (control characters but tab, LF, CR; U+FFFE/U+FFFF),
// and the three that need escaping in text.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
// eslint-disable-next-line no-control-regex
const NEEDS_WORK = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff&<>]/;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Text as XML character data: invalid characters dropped, `&`, `<`, `>` escaped. */
export function xmlText(text: string): string {
  // Most cells need neither: one test, no copy.
  if (!NEEDS_WORK.test(text)) return text;
  return text.replace(INVALID_XML, '').replace(/[&<>]/g, (c) => ESCAPES[c]!);
}

/** Column letters: 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** Sheet names may not hold `[]:*?/\`, nor be longer than 31 characters. */
function sheetName(name: string): string {
  return (
    name
      .replace(INVALID_XML, '')
      .replace(/[[\]:*?/\\]/g, ' ')
      .trim()
      .slice(0, 31) || 'Sheet1'
  );
}

/** Whether the text starts or ends with white space (a regular expression per cell cost more). */
function edgeSpace(text: string): boolean {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  return first <= 32 || last <= 32 || (first > 127 && /\s/.test(text[0]!)) || (last > 127 && /\s/.test(text[text.length - 1]!));
}

/**
 * One row's XML, gathered as pieces and joined once: a single flat string per row. Built with `+`,
 * a row was a rope of some fifty small strings that V8 allocated and then copied flat again to
 * encode it, a third more garbage for every row.
 */
class RowXml {
  private readonly parts: string[] = [];
  private n = 0;

  /** Starts a row; `row` is its number. */
  start(row: string): void {
    this.n = 0;
    this.push3('<row r="', row, '">');
  }

  /** One cell: `open` is its opening up to the row number (`<c r="B`), `attrs` its style if any. */
  cell(open: string, row: string, value: XlsxCell, attrs: string, textOf: (text: string) => string): void {
    if (value === null || value === '') return;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return this.cell(open, row, String(value), attrs, textOf);
      this.push3(open, row, '"');
      this.push3(attrs, '><v>', String(value));
      this.push('</v></c>');
      return;
    }
    if (typeof value === 'boolean') {
      this.push3(open, row, '"');
      this.push3(attrs, ' t="b"><v>', value ? '1</v></c>' : '0</v></c>');
      return;
    }
    const given = textOf(value);
    const text = xmlText(given.length > MAX_CELL_TEXT ? given.slice(0, MAX_CELL_TEXT) : given);
    this.push3(open, row, '"');
    // Excel trims leading and trailing spaces unless told to keep them.
    this.push3(attrs, edgeSpace(text) ? ' t="inlineStr"><is><t xml:space="preserve">' : ' t="inlineStr"><is><t>', text);
    this.push('</t></is></c>');
  }

  /** Ends the row and gives its XML. */
  end(): string {
    this.push('</row>');
    // Shorter rows than the longest so far leave pieces behind; joined they would repeat.
    this.parts.length = this.n;
    return this.parts.join('');
  }

  private push(a: string): void {
    this.parts[this.n++] = a;
  }

  private push3(a: string, b: string, c: string): void {
    this.parts[this.n++] = a;
    this.parts[this.n++] = b;
    this.parts[this.n++] = c;
  }
}

export interface XlsxStream {
  /** Adds rows; resolves when the output can take more. */
  rows(rows: XlsxCell[][]): Promise<void>;
  /** Finishes the sheet and the package; resolves once the output has everything. */
  end(): Promise<void>;
}

/**
 * Starts an XLSX with one sheet and its (bold, frozen) header row, written into `out` as rows come.
 * `textOf` transforms every text cell of the rows (the export neutralizes formulas with it).
 */
export function xlsxStream(out: Writable, header: string[], name: string, textOf: (text: string) => string = (t) => t): XlsxStream {
  const zip = new ZipWriter(out, COMPRESSION_LEVEL);
  for (const [path, xml] of STATIC_PARTS.slice(0, 3)) zip.file(path, xml);
  zip.file(
    'xl/workbook.xml',
    `${XML_HEAD}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheets><sheet name="${xmlText(sheetName(name)).replace(/"/g, '&quot;')}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
  );
  zip.file(STATIC_PARTS[3]![0], STATIC_PARTS[3]![1]);
  const sheet = zip.stream('xl/worksheets/sheet1.xml');

  const closedEarly = () => new Error('The output was closed before the export ended.');
  const finished = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve).once('error', reject);
    out.once('close', () => (out.writableFinished ? resolve() : reject(closedEarly())));
  });
  // An output that failed or went away stops the export at its next page; nothing may be left unhandled.
  finished.catch(() => undefined);

  const opens: string[] = header.map((_, i) => `<c r="${columnName(i)}`);
  const xml = new RowXml();
  let rowNumber = 0;
  const line = (cells: XlsxCell[], attrs: string, text: (text: string) => string) => {
    const r = String(++rowNumber);
    xml.start(r);
    for (let i = 0; i < cells.length; i++) xml.cell(opens[i] ?? `<c r="${columnName(i)}`, r, cells[i]!, attrs, text);
    return xml.end();
  };
  // Rows go into the sheet's deflate as UTF-8 made row by row; zlib holds the chunks it is given until it has read them.
  const text = new Utf8Chunks((chunk) => sheet.write(chunk));
  text.add(
    `${XML_HEAD}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
      '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
      `<sheetFormatPr defaultRowHeight="15"/><sheetData>${line(header, ' s="1"', textOf)}`,
  );

  const writable = async (): Promise<void> => {
    if (out.destroyed && !out.writableFinished) throw closedEarly();
    if (!sheet.stream.writableNeedDrain) return;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        sheet.stream.off('drain', done);
        out.off('close', closed);
        resolve();
      };
      const closed = () => {
        sheet.stream.off('drain', done);
        reject(closedEarly());
      };
      sheet.stream.on('drain', done);
      out.once('close', closed);
    });
  };

  return {
    async rows(rows) {
      for (const row of rows) text.add(line(row, '', textOf));
      text.flush();
      await writable();
    },
    async end() {
      text.add('</sheetData></worksheet>');
      text.flush();
      sheet.stream.end();
      await Promise.race([sheet.done, finished]);
      await Promise.all([zip.end(), finished]);
    },
  };
}
