/**
 * Reading XLSX import files written by other programs than Excel: workbooks built here from their
 * XML parts, so each case shows the markup it is about (inline and rich strings, cells and rows
 * without references, 1904 dates, custom date formats, entities, a first sheet that is not the
 * first file). No database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { ImportRow, ReadOptions } from '../import/import-contract.js';
import { readImportRows, sniffImportFile } from '../import/reading/index.js';
import { drain, refusal } from './support/reading.js';

const MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const REL = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const TYPE = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const ALL: Required<ReadOptions> = { encoding: 'utf-8', delimiter: ',', header: false };

let dir: string;
let seq = 0;

interface Sheet { name: string; part: string; xml: string; type?: string }

interface Book {
  /** In the workbook's order; the zip holds their parts in the order given by `zipOrder`. */
  sheets: Sheet[];
  sharedStrings?: string;
  styles?: string;
  workbookPr?: string;
  /** Part names in the order they are put into the zip (the default: package parts, then sheets). */
  zipOrder?: (parts: string[]) => string[];
}

/** `<row>` contents of a worksheet. */
const worksheet = (rows: string) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet ${MAIN}><sheetData>${rows}</sheetData></worksheet>`;

/** Writes a workbook from its XML parts, the way any program may lay them out. */
async function writeBook(book: Book): Promise<string> {
  const parts = new Map<string, string>();
  const rels = book.sheets.map((s, i) => `<Relationship Id="rId${i + 1}" Type="${TYPE}/${s.type ?? 'worksheet'}" Target="${s.part}"/>`);
  if (book.sharedStrings) rels.push(`<Relationship Id="rIdS" Type="${TYPE}/sharedStrings" Target="sharedStrings.xml"/>`);
  if (book.styles) rels.push(`<Relationship Id="rIdY" Type="${TYPE}/styles" Target="styles.xml"/>`);
  parts.set('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>');
  parts.set('_rels/.rels', `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${TYPE}/officeDocument" Target="xl/workbook.xml"/></Relationships>`);
  parts.set('xl/workbook.xml', `<workbook ${MAIN} ${REL}>${book.workbookPr ?? ''}<sheets>${
    book.sheets.map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`);
  parts.set('xl/_rels/workbook.xml.rels', `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels.join('')}</Relationships>`);
  if (book.sharedStrings) parts.set('xl/sharedStrings.xml', `<sst ${MAIN}>${book.sharedStrings}</sst>`);
  if (book.styles) parts.set('xl/styles.xml', `<styleSheet ${MAIN}>${book.styles}</styleSheet>`);
  // A target is relative to xl/ unless absolute, and a URI (percent-encoded).
  for (const s of book.sheets) parts.set(decodeURIComponent(s.part.startsWith('/') ? s.part.slice(1) : `xl/${s.part}`), s.xml);
  const zip = new JSZip();
  for (const name of (book.zipOrder ?? ((p) => p))([...parts.keys()])) zip.file(name, parts.get(name)!);
  const file = path.join(dir, `b${++seq}.xlsx`);
  fs.writeFileSync(file, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  return file;
}

const oneSheet = (rows: string, extra: Omit<Book, 'sheets'> = {}): Promise<string> =>
  writeBook({ sheets: [{ name: 'Data', part: 'worksheets/sheet1.xml', xml: worksheet(rows) }], ...extra });

const records = (file: string): Promise<ImportRow[]> => drain(readImportRows(file, ALL, 'xlsx'));

const cellsOf = async (file: string) => (await records(file)).map((r) => r.cells);

describe('Import: reading the XLSX format', () => {
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-import-xlsx-format-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('cells', () => {
    it('reads inline strings, rich inline runs and formula strings, trimmed, without phonetic guides', async () => {
      const file = await oneSheet(
        '<row r="1">'
        + '<c r="A1" t="inlineStr"><is><t>  Ann  </t></is></c>'
        + '<c r="B1" t="inlineStr"><is><r><t xml:space="preserve">Very </t></r><r><rPr><b/></rPr><t>important</t></r><rPh sb="0" eb="1"><t>ベリー</t></rPh></is></c>'
        + '<c r="C1" t="str"><f>A1&amp;"!"</f><v>Ann!</v></c>'
        + '</row>',
      );
      expect(await cellsOf(file)).to.deep.equal([['Ann', 'Very important', 'Ann!']]);
    });

    it('reads booleans, error values, ISO dates, and a formula by its cached value only', async () => {
      const file = await oneSheet(
        '<row r="1">'
        + '<c r="A1" t="b"><v>1</v></c><c r="B1" t="b"><v>0</v></c>'
        + '<c r="C1" t="e"><v>#DIV/0!</v></c>'
        + '<c r="D1" t="d"><v>2024-01-15T00:00:00</v></c><c r="E1" t="d"><v>2024-01-15T10:30:00</v></c>'
        + '<c r="F1"><f>1+1</f><v>2</v></c><c r="G1"><f>1+1</f></c><c r="H1" t="n"><v>-1.5E3</v></c>'
        + '</row>',
      );
      expect(await cellsOf(file)).to.deep.equal([['true', 'false', '#DIV/0!', '2024-01-15', '2024-01-15 10:30:00', '2', '', '-1500']]);
    });

    it('decodes entities and character references, and keeps a text that looks like a formula as text', async () => {
      const file = await oneSheet(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Smith &amp; Sons &lt;b&gt; &quot;Ltd&quot; &#x141;&#243;d&#378;</t></is></c>'
        + '<c r="B1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>=1+2</t></is></c><c r="D1" t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row>',
        { sharedStrings: '<si><t>Tom &amp; Jerry&apos;s</t></si>' },
      );
      expect(await cellsOf(file)).to.deep.equal([['Smith & Sons <b> "Ltd" Łódź', "Tom & Jerry's", '=1+2', 'a<b']]);
    });

    it('reads rich-text shared strings as their runs joined, without phonetic guides', async () => {
      const file = await oneSheet(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>0</v></c><c r="D1" t="s"><v>2</v></c></row>',
        {
          sharedStrings: '<si><r><t xml:space="preserve">  Very </t></r><r><rPr><i/></rPr><t>important</t></r></si>'
            + '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>'
            + '<si><t xml:space="preserve">   </t></si>',
        },
      );
      // The same shared string twice; a string of spaces is an empty cell, and the row ends before it.
      expect(await cellsOf(file)).to.deep.equal([['Very important', '東京', 'Very important']]);
    });

    it('keeps a character whose bytes are split between two inflated chunks', async () => {
      // 30,000 three-byte characters span several 16 kB chunks, and most chunk ends fall inside one.
      const text = '€'.repeat(30_000);
      const file = await oneSheet(`<row r="1"><c r="A1" t="inlineStr"><is><t>${text}</t></is></c><c r="B1" t="inlineStr"><is><t>ok</t></is></c></row>`);
      expect(await cellsOf(file)).to.deep.equal([[text, 'ok']]);
    });
  });

  describe('places', () => {
    it('places cells by reference, a cell or row without a reference after the previous one, and skips empty rows and trailing empty cells', async () => {
      const file = await oneSheet(
        '<row r="2"><c r="B2" t="inlineStr"><is><t>b</t></is></c><c t="inlineStr"><is><t>c</t></is></c><c r="E2"><v>5</v></c><c r="F2" s="0"/><c r="G2" t="inlineStr"><is><t> </t></is></c></row>'
        + '<row r="3"><c r="A3"/></row>'
        + '<row r="5" spans="1:2"><c><v>1</v></c><c><v>2</v></c></row>'
        + '<row><c r="A6" t="inlineStr"><is><t>after 5</t></is></c></row>',
      );
      expect(await records(file)).to.deep.equal([
        { line: 2, cells: ['', 'b', 'c', '', '5'] },
        { line: 5, cells: ['1', '2'] },
        { line: 6, cells: ['after 5'] },
      ]);
    });

    it('refuses a value beyond the column limit without padding the row to it, and ignores an empty cell there', async () => {
      const empty = await oneSheet('<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"/></row>');
      expect(await cellsOf(empty)).to.deep.equal([['1']]);
      const wide = await oneSheet('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="XFD2"><v>1</v></c></row>');
      const err = await refusal(records(wide));
      expect(err).to.include({ status: 400, code: 'import_too_many_columns' });
      expect(err.params).to.deep.include({ line: 2, count: 16_384 });
    });
  });

  describe('dates and numbers', () => {
    const styles = '<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\\ hh:mm"/><numFmt numFmtId="165" formatCode="0.0 &quot;days&quot;"/><numFmt numFmtId="166" formatCode="[Red]#,##0.00_);\\(#,##0.00\\)"/></numFmts>'
      // An <xf> outside <cellXfs> must not shift the indexes cells use.
      + '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
      + '<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="22"/></cellXfs>'
      + '<dxfs count="1"><dxf><numFmt numFmtId="165" formatCode="yyyy"/></dxf></dxfs>';
    const row = '<row r="1"><c r="A1"><v>45306</v></c><c r="B1" s="1"><v>45306</v></c><c r="C1" s="2"><v>45306.5</v></c>'
      + '<c r="D1" s="3"><v>2.5</v></c><c r="E1" s="4"><v>1234.5</v></c><c r="F1" s="5"><v>45306.75</v></c><c r="G1" s="1"><f>TODAY()</f><v>45306</v></c></row>';

    it('shows numbers as dates where the style has a built-in or custom date format, with their time', async () => {
      const file = await oneSheet(row, { styles });
      expect(await cellsOf(file)).to.deep.equal([['45306', '2024-01-15', '2024-01-15 12:00:00', '2.5', '1234.5', '2024-01-15 18:00:00', '2024-01-15']]);
    });

    it('counts days from 1904 when the workbook says so', async () => {
      const file = await oneSheet(row, { styles, workbookPr: '<workbookPr date1904="1"/>' });
      // 1,462 days later than in the 1900 system.
      expect((await cellsOf(file))[0].slice(0, 3)).to.deep.equal(['45306', '2028-01-16', '2028-01-16 12:00:00']);
      const zero = await oneSheet('<row r="1"><c r="A1" s="1"><v>0</v></c></row>', { styles, workbookPr: '<workbookPr date1904="true"/>' });
      expect(await cellsOf(zero)).to.deep.equal([['1904-01-01']]);
    });

    it('reads dates from a workbook exceljs writes in the 1904 system', async () => {
      const file = path.join(dir, 'exceljs-1904.xlsx');
      const wb = new ExcelJS.Workbook();
      wb.properties.date1904 = true;
      const ws = wb.addWorksheet('S');
      ws.addRow(['Born', new Date(Date.UTC(1990, 4, 17))]);
      ws.getCell('B1').numFmt = 'yyyy-mm-dd';
      await wb.xlsx.writeFile(file);
      expect(await cellsOf(file)).to.deep.equal([['Born', '1990-05-17']]);
    });
  });

  describe('which sheet', () => {
    it('reads the first sheet of the workbook, found through its relationships whatever its part is called and wherever it lies in the zip', async () => {
      const file = await writeBook({
        sheets: [
          { name: 'Chart', part: 'chartsheets/sheet1.xml', type: 'chartsheet', xml: `<chartsheet ${MAIN}/>` },
          { name: 'Contacts', part: '/xl/worksheets/contacts%20list.xml', xml: worksheet('<row r="1"><c r="A1" t="inlineStr"><is><t>first tab</t></is></c></row>') },
          { name: 'Other', part: 'worksheets/sheet1.xml', xml: worksheet('<row r="1"><c r="A1" t="inlineStr"><is><t>second tab</t></is></c></row>') },
        ],
        // The second tab's part comes first in the zip, before even the workbook.
        zipOrder: (parts) => ['xl/worksheets/sheet1.xml', ...parts.filter((p) => p !== 'xl/worksheets/sheet1.xml')],
      });
      expect(await cellsOf(file)).to.deep.equal([['first tab']]);
    });

    it('reads a workbook whose elements carry a namespace prefix', async () => {
      const ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
      const file = await writeBook({
        sheets: [{ name: 'S', part: 'worksheets/sheet1.xml', xml: `<x:worksheet ${ns}><x:sheetData><x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1"><x:v>7</x:v></x:c></x:row></x:sheetData></x:worksheet>` }],
        sharedStrings: '<si><t>prefixed</t></si>',
      });
      expect(await cellsOf(file)).to.deep.equal([['prefixed', '7']]);
    });
  });

  describe('refusals', () => {
    it('refuses as unreadable a damaged sheet, damaged shared strings, and a sheet the relationships point at but the zip lacks', async () => {
      const damagedSheet = await oneSheet('<row r="1"><c r="A1" t="inlineStr"><is><t>x</is></c></row>');
      const damagedStrings = await oneSheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', { sharedStrings: '<si><t>x</si>' });
      const missing = await writeBook({ sheets: [{ name: 'S', part: 'worksheets/sheet1.xml', xml: worksheet('') }], zipOrder: (parts) => parts.filter((p) => !p.includes('worksheets/')) });
      const cutOff = await writeBook({ sheets: [{ name: 'S', part: 'worksheets/sheet1.xml', xml: worksheet('<row r="1"><c r="A1"><v>1</v></c></row>').slice(0, -25) }] });
      for (const file of [damagedSheet, damagedStrings, missing, cutOff]) {
        expect(await refusal(records(file))).to.include({ status: 400, code: 'import_unreadable' });
      }
    });
  });

  describe('open files', () => {
    const openFds = () => fs.readdirSync('/proc/self/fd').length;

    it('closes the file when a preview stops after the first rows', async function () {
      if (!fs.existsSync('/proc/self/fd')) this.skip();
      const file = path.join(dir, 'long.xlsx');
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('S');
      ws.addRow(['Name', 'Email']);
      for (let i = 0; i < 5000; i++) ws.addRow([`Name ${i}`, `n${i}@example.org`]);
      await wb.xlsx.writeFile(file);
      const before = openFds();
      for (let i = 0; i < 5; i++) expect((await sniffImportFile(file)).rows).to.have.length(20);
      // Descriptors close in a callback: give them a moment.
      for (let t = 0; t < 50 && openFds() > before; t++) await new Promise((r) => setTimeout(r, 10));
      expect(openFds()).to.be.at.most(before);
    });
  });
});
