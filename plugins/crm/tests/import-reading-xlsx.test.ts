/**
 * Reading XLSX import files: cells as the text a person sees (numbers without float noise,
 * dates, formulas' cached results, rich text, links), the first worksheet only, and the zip
 * checks that refuse a bomb before and while inflating. No database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { MAX_ZIP_ENTRIES, readImportRows, scanImportFile, sniffImportFile } from '../import/reading/index.js';
import { drain, refusal } from './support/reading.js';

let dir: string;
let seq = 0;
const tmp = (ext = 'xlsx') => path.join(dir, `w${++seq}.${ext}`);

/** A zip that opens as a workbook (it has xl/workbook.xml) plus the given entries. */
async function zipWith(entries: Record<string, string | Buffer>, compression: 'DEFLATE' | 'STORE' = 'DEFLATE'): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('xl/workbook.xml', '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>');
  for (const [name, content] of Object.entries(entries)) zip.file(name, content);
  return zip.generateAsync({ type: 'nodebuffer', compression, compressionOptions: { level: 9 } });
}

interface CentralRecord { at: number; length: number; name: string; localAt: number }

/** The central directory's records and the end record's position. */
function centralDirectory(zip: Buffer): { eocd: number; records: CentralRecord[] } {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const records: CentralRecord[] = [];
  for (let i = 0; i < count; i++) {
    const n = zip.readUInt16LE(at + 28);
    const length = 46 + n + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    records.push({ at, length, name: zip.toString('utf8', at + 46, at + 46 + n), localAt: zip.readUInt32LE(at + 42) });
    at += length;
  }
  return { eocd, records };
}

/** Rewrites the declared uncompressed size of an entry, in its central and local headers. */
function declareSize(zip: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(zip);
  const record = centralDirectory(out).records.find((r) => r.name === name)!;
  out.writeUInt32LE(size, record.at + 24);
  out.writeUInt32LE(size, record.localAt + 22);
  return out;
}

/** Drops an entry from the central directory only: its data stays in the file, unlisted. */
function hideEntry(zip: Buffer, name: string): Buffer {
  const { eocd, records } = centralDirectory(zip);
  const record = records.find((r) => r.name === name)!;
  const out = Buffer.concat([zip.subarray(0, record.at), zip.subarray(record.at + record.length)]);
  const end = eocd - record.length;
  out.writeUInt16LE(out.readUInt16LE(end + 8) - 1, end + 8);
  out.writeUInt16LE(out.readUInt16LE(end + 10) - 1, end + 10);
  out.writeUInt32LE(out.readUInt32LE(end + 12) - record.length, end + 12);
  return out;
}

describe('Import: reading XLSX files', () => {
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-import-xlsx-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  let workbook: string;
  before(async () => {
    workbook = tmp();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Contacts');
    ws.addRow(['Name', 'Phone', 'Amount', 'Born', 'Active', 'Total', 'Note', 'Site', 'Pending', 'Check']);
    ws.addRow([
      'Ann Smith', 48601234567, 0.1 + 0.2, new Date(Date.UTC(1990, 4, 17)), true,
      { formula: 'C2*2', result: 0.6000000000000001 },
      { richText: [{ text: 'Very ' }, { font: { bold: true }, text: 'important' }] },
      { text: 'example', hyperlink: 'https://example.com' },
      { formula: 'B2+1' },
      { error: '#N/A' },
    ]);
    ws.addRow([]);
    ws.addRow(['  Bob  ', 123, 1234.5]);
    ws.getCell('D2').numFmt = 'yyyy-mm-dd';
    ws.getCell('F4').value = { formula: 'DATE(2024,1,15)', result: 45306 };
    ws.getCell('F4').numFmt = 'dd.mm.yyyy';
    ws.addRow(['Ann Smith', '=not a formula', 'Ann Smith']);
    wb.addWorksheet('Second').addRow(['never', 'read']);
    await wb.xlsx.writeFile(workbook);
  });

  it('is recognized by content, also under a .csv name, with its header and first rows', async () => {
    const renamed = tmp('csv');
    fs.copyFileSync(workbook, renamed);
    const sniff = await sniffImportFile(renamed);
    expect(sniff).to.include({ format: 'xlsx', encoding: null, delimiter: null, header: true });
    expect(sniff.headers).to.deep.equal(['Name', 'Phone', 'Amount', 'Born', 'Active', 'Total', 'Note', 'Site', 'Pending', 'Check']);
    expect(sniff.rows).to.have.length(3);
  });

  it('gives each cell as text: whole numbers, no float noise, dates, booleans, cached formula results, rich text, links', async () => {
    const sniff = await sniffImportFile(workbook);
    const rows = await drain(readImportRows(workbook, sniff.options, 'xlsx'));
    expect(rows.map((r) => r.line)).to.deep.equal([2, 4, 5]);
    expect(rows[0].cells).to.deep.equal(['Ann Smith', '48601234567', '0.3', '1990-05-17', 'true', '0.6', 'Very important', 'example', '', '#N/A']);
    // Trimmed, padded to the header's width, a formula's date result as a date.
    expect(rows[1].cells).to.deep.equal(['Bob', '123', '1234.5', '', '', '2024-01-15', '', '', '', '']);
    // Shared strings repeat; a text cell starting with = is text.
    expect(rows[2].cells.slice(0, 3)).to.deep.equal(['Ann Smith', '=not a formula', 'Ann Smith']);
    expect(await scanImportFile(workbook, sniff.options, 'xlsx')).to.deep.equal({ rows: 3 });
  });

  it('refuses a workbook with a header only, and one without rows', async () => {
    const headerOnly = tmp();
    const a = new ExcelJS.Workbook();
    a.addWorksheet('S').addRow(['Name', 'Email']);
    await a.xlsx.writeFile(headerOnly);
    expect(await refusal(sniffImportFile(headerOnly))).to.include({ status: 400, code: 'import_no_rows' });
    const empty = tmp();
    const b = new ExcelJS.Workbook();
    b.addWorksheet('S');
    await b.xlsx.writeFile(empty);
    expect(await refusal(sniffImportFile(empty))).to.include({ status: 400, code: 'import_empty' });
  });

  it('refuses a damaged workbook as unreadable, not with a server error', async () => {
    const p = tmp();
    fs.writeFileSync(p, await zipWith({ 'xl/worksheets/sheet1.xml': '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</is></row>' }));
    const err = await refusal(sniffImportFile(p));
    expect(err).to.include({ status: 400, code: 'import_unreadable' });
  });

  describe('zip bombs', () => {
    it('refuses an entry packed more than 100:1 from the central directory alone', async () => {
      const p = tmp();
      fs.writeFileSync(p, await zipWith({ 'xl/worksheets/sheet1.xml': Buffer.alloc(5 * 1024 * 1024, 0x20) }));
      const err = await refusal(sniffImportFile(p));
      expect(err).to.include({ status: 413, code: 'import_zip_bomb', messageKey: 'crm:import-file.zip_bomb' });
      expect(err.params).to.deep.include({ reason: 'ratio' });
    });

    it('refuses more than 200 MB declared in total', async () => {
      // Incompressible entries, so the ratio stays plausible and only the total is too much.
      const entries = Object.fromEntries([1, 2, 3].map((i) => [`xl/media/image${i}.bin`, randomBytes(1024 * 1024)]));
      let zip = await zipWith(entries);
      for (const name of Object.keys(entries)) zip = declareSize(zip, name, 80 * 1024 * 1024);
      const p = tmp();
      fs.writeFileSync(p, zip);
      const err = await refusal(sniffImportFile(p));
      expect(err).to.include({ code: 'import_zip_bomb' });
      expect(err.params).to.deep.include({ reason: 'size' });
    });

    it(`refuses more than ${MAX_ZIP_ENTRIES.toLocaleString('en')} entries`, async () => {
      const entries = Object.fromEntries(Array.from({ length: MAX_ZIP_ENTRIES + 1 }, (_, i) => [`xl/e/${i}.xml`, '']));
      const p = tmp();
      fs.writeFileSync(p, await zipWith(entries, 'STORE'));
      const err = await refusal(sniffImportFile(p));
      expect(err).to.include({ code: 'import_zip_bomb' });
      expect(err.params).to.deep.include({ reason: 'entries' });
    });

    it('counts while inflating when an entry declares less than it holds', async () => {
      const p = tmp();
      fs.writeFileSync(p, declareSize(await zipWith({ 'xl/worksheets/sheet1.xml': Buffer.alloc(5 * 1024 * 1024, 0x20) }), 'xl/worksheets/sheet1.xml', 100_000));
      const err = await refusal(sniffImportFile(p));
      expect(err).to.include({ code: 'import_zip_bomb' });
      expect(err.params).to.deep.include({ reason: 'size' });
    });

    it('refuses as unreadable an entry that holds less than it declares', async () => {
      const p = tmp();
      const sheet = '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row></sheetData></worksheet>';
      fs.writeFileSync(p, declareSize(await zipWith({ 'xl/worksheets/sheet1.xml': sheet }), 'xl/worksheets/sheet1.xml', sheet.length + 500));
      const err = await refusal(sniffImportFile(p));
      expect(err).to.include({ status: 400, code: 'import_unreadable' });
    });

    it('refuses data hidden between the listed entries, which a streaming reader would still inflate', async () => {
      const p = tmp();
      const zip = await zipWith({ 'xl/hidden.xml': Buffer.alloc(100_000, 0x20), 'xl/worksheets/sheet1.xml': '<worksheet/>' });
      fs.writeFileSync(p, hideEntry(zip, 'xl/hidden.xml'));
      const err = await refusal(sniffImportFile(p));
      expect(err).to.include({ status: 400, code: 'import_unreadable' });
    });
  });
});
