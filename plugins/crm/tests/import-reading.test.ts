/**
 * Reading CSV import files: format by content, text encoding, delimiter and header detection,
 * streamed rows with their line numbers, and the refusals (empty, binary, broken quotes, too
 * many columns, mixed encodings). No database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import type { ImportEncoding, ImportRow, ReadOptions } from '../import/import-contract.js';
import {
  MAX_IMPORT_COLUMNS, MAX_IMPORT_FILE_BYTES, readImportRows, scanImportFile, sniffImportFile,
} from '../import/reading/index.js';
import { drain, refusal } from './support/reading.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => path.join(FIXTURES, 'import', name);

let dir: string;
let seq = 0;
/** Writes a temporary file and returns its path. */
function file(content: string | Buffer, ext = 'csv'): string {
  const p = path.join(dir, `f${++seq}.${ext}`);
  fs.writeFileSync(p, content);
  return p;
}

async function rowsOf(p: string, options?: ReadOptions): Promise<ImportRow[]> {
  const sniff = await sniffImportFile(p, options);
  const rows: ImportRow[] = [];
  for await (const row of readImportRows(p, sniff.options, sniff.format)) rows.push(row);
  return rows;
}

describe('Import: reading CSV files', () => {
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-import-reading-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('real exported files', () => {
    it('reads the datablist customers file: UTF-8 with BOM, comma, a header, 100 rows numbered from line 2', async () => {
      const sniff = await sniffImportFile(path.join(FIXTURES, 'datablist-customers-100.csv'));
      expect(sniff).to.include({ format: 'csv', encoding: 'utf-8', delimiter: ',', header: true });
      expect(sniff.headers).to.deep.equal(['Index', 'Customer Id', 'First Name', 'Last Name', 'Company', 'City', 'Country', 'Phone 1', 'Phone 2', 'Email', 'Subscription Date', 'Website']);
      expect(sniff.rows).to.have.length(20);
      expect(sniff.rows[0].slice(0, 4)).to.deep.equal(['1', 'DD37Cf93aecA6Dc', 'Sheryl', 'Baxter']);
      expect(sniff.warnings).to.deep.equal([]);
      const rows = await drain(readImportRows(path.join(FIXTURES, 'datablist-customers-100.csv'), sniff.options, 'csv'));
      expect(rows).to.have.length(100);
      expect(rows[0].line).to.equal(2);
      expect(rows[99].line).to.equal(101);
      expect(rows[99].cells[0]).to.equal('100');
    });

    it('yields the two ragged rows of the dirty file as they are, for the engine to report', async () => {
      const p = fixture('datablist-customers-1000.DIRTY-39dups-2ragged.csv');
      const sniff = await sniffImportFile(p);
      expect(await scanImportFile(p, sniff.options, 'csv')).to.deep.equal({ rows: 1039 });
      const ragged = (await drain(readImportRows(p, sniff.options))).filter((r) => r.cells.length !== sniff.headers.length);
      expect(ragged.map((r) => r.cells.length)).to.deep.equal([13, 14]);
      expect(ragged.every((r) => r.line > 2)).to.equal(true);
    });
  });

  describe('text encodings', () => {
    const cases: [string, ImportEncoding][] = [
      ['uchardet-pl-windows-1250.txt', 'windows-1250'],
      ['uchardet-pl-iso-8859-2.txt', 'iso-8859-2'],
      ['uchardet-ru-windows-1251.txt', 'windows-1251'],
      ['uchardet-ru-koi8-r.txt', 'koi8-r'],
      ['uchardet-uk-windows-1251.txt', 'windows-1251'],
    ];
    for (const [name, encoding] of cases) {
      it(`recognizes ${name} as ${encoding} and reads its text`, async () => {
        const sniff = await sniffImportFile(fixture(name), { delimiter: ',', header: false });
        expect(sniff.encoding).to.equal(encoding);
        expect(sniff.warnings.map((w) => w.messageKey)).to.include('crm:import-file.encoding_guessed');
        const got = (await rowsOf(fixture(name), { delimiter: ',', header: false })).map((r) => r.cells.join(',')).join('\n');
        expect(got).to.equal(iconv.decode(fs.readFileSync(fixture(name)), encoding).trim().replace(/ *, */g, ',').replace(/\s*\n\s*/g, '\n'));
      });
    }

    it('tells KOI8-U from KOI8-R by the Ukrainian letters і ї є ґ', async () => {
      const text = 'Прізвище;Ім\'я;Місто\nҐалаґан;Їжак;Київ\nЄвенко;Ірина;Львів\nЗаєць;Олексій;Одеса\n';
      const sniff = await sniffImportFile(file(iconv.encode(text, 'koi8-u')));
      expect(sniff).to.include({ encoding: 'koi8-u', delimiter: ';', header: true });
      expect(sniff.headers).to.deep.equal(['Прізвище', 'Ім\'я', 'Місто']);
      expect(sniff.rows[0]).to.deep.equal(['Ґалаґан', 'Їжак', 'Київ']);
    });

    it('tells Windows-1250 from ISO-8859-2 by ą ś ź', async () => {
      const text = 'Nazwisko;Imię;Miasto\nŚwiątek;Źdźisław;Łódź\nKowalska;Jadwiga;Kraków\nWąsik;Stanisław;Częstochowa\n';
      for (const encoding of ['windows-1250', 'iso-8859-2'] as const) {
        const sniff = await sniffImportFile(file(iconv.encode(text, encoding)));
        expect(sniff.encoding).to.equal(encoding);
        expect(sniff.rows[0]).to.deep.equal(['Świątek', 'Źdźisław', 'Łódź']);
      }
    });

    it('lets the user override the detected encoding', async () => {
      const p = file(iconv.encode('Nazwisko;Miasto\nŚwiątek;Łódź\n', 'windows-1250'));
      const sniff = await sniffImportFile(p, { encoding: 'windows-1251' });
      expect(sniff.encoding).to.equal('windows-1251');
      expect(sniff.options.encoding).to.equal('windows-1251');
      expect(sniff.rows[0][0]).to.not.equal('Świątek');
    });

    it('reads UTF-16 LE and BE with a byte-order mark', async () => {
      const text = 'Name,Email\nЗоя Петренко,zoya@example.com\n';
      for (const encoding of ['utf-16le', 'utf-16be'] as const) {
        const p = file(iconv.encode(text, encoding, { addBOM: true }));
        const sniff = await sniffImportFile(p);
        expect(sniff.encoding).to.equal(encoding);
        expect(sniff.headers).to.deep.equal(['Name', 'Email']);
        expect((await rowsOf(p))[0].cells).to.deep.equal(['Зоя Петренко', 'zoya@example.com']);
      }
    });

    it('reads the smarter_csv BOM samples: a UTF-8 BOM, and UTF-16/32 marks in front of UTF-8 text', async () => {
      for (const name of ['efbbbf', 'feff', 'fffe', '0000feff', 'fffe0000']) {
        const p = fixture(`smartercsv-bom_test_${name}.csv`);
        const sniff = await sniffImportFile(p);
        expect(sniff.encoding, name).to.equal('utf-8');
        expect(sniff.headers, name).to.deep.equal(['some_id', 'type', 'fuzzboxes']);
        expect((await rowsOf(p)).map((r) => r.cells), name).to.deep.equal([['42766805', 'zizzles', '1234'], ['38759150', 'quizzes', '5678']]);
      }
    });

    it('refuses a file that is UTF-8 but for a Windows-1250 line, naming the line', async () => {
      const p = file(Buffer.concat([
        Buffer.from('Imię,Nazwisko\nŁucja,Żak\nJan,Kowalski\n'),
        iconv.encode('Agnieszka,Wąsowska\n', 'windows-1250'),
        Buffer.from('Ewa,Bąk\n'),
      ]));
      const err = await refusal(sniffImportFile(p));
      expect(err).to.include({ status: 400, code: 'import_mixed_encoding', messageKey: 'crm:import-file.mixed_encoding' });
      expect(err.params).to.deep.equal({ line: 4 });
      // Told the encoding, it decodes as told.
      const sniff = await sniffImportFile(p, { encoding: 'windows-1250' });
      expect(sniff.rows[2]).to.deep.equal(['Agnieszka', 'Wąsowska']);
      expect(await scanImportFile(p, sniff.options)).to.deep.equal({ rows: 4 });
    });

    it('finds a line in another encoding far beyond the preview while reading', async () => {
      const good = Array.from({ length: 30_000 }, (_, i) => `Łucja ${i},lucja${i}@example.com`).join('\n');
      const p = file(Buffer.concat([Buffer.from(`Name,Email\n${good}\n`), iconv.encode('Wąsik,w@example.com\n', 'windows-1250')]));
      const sniff = await sniffImportFile(p);
      expect(sniff.encoding).to.equal('utf-8');
      const err = await refusal(scanImportFile(p, sniff.options));
      expect(err).to.include({ code: 'import_mixed_encoding' });
      expect(err.params).to.deep.equal({ line: 30_002 });
    });

    it('refuses UTF-16 text disguised as nothing: a real UTF-32 file', async () => {
      const p = file(iconv.encode('\ufeffa,b\n1,2\n', 'utf-32le'));
      const err = await refusal(sniffImportFile(p));
      expect(err).to.include({ status: 415, code: 'import_unsupported_encoding' });
    });
  });

  describe('delimiter and header', () => {
    it('finds semicolons and tabs outside quotes, not commas inside them', async () => {
      const semicolon = await sniffImportFile(file('Name;Company;City\n"Kowalski, Jan";"ACME, Inc.";Kraków\n"Nowak, Anna";"Foo, Bar";Gdańsk\n'));
      expect(semicolon.delimiter).to.equal(';');
      expect(semicolon.rows[0]).to.deep.equal(['Kowalski, Jan', 'ACME, Inc.', 'Kraków']);
      const tab = await sniffImportFile(file('Name\tEmail\tPhone\nJan, Jr.\tjan@example.com\t+48 601 234 567\n'));
      expect(tab.delimiter).to.equal('\t');
      expect(tab.rows[0]).to.deep.equal(['Jan, Jr.', 'jan@example.com', '+48 601 234 567']);
    });

    it('sees that a first row of e-mails and phones is data, and numbers the columns', async () => {
      const sniff = await sniffImportFile(file('jan@example.com,Jan Kowalski,+48 601 234 567\nanna@example.com,Anna Nowak,+48 602 345 678\n'));
      expect(sniff.header).to.equal(false);
      expect(sniff.headers).to.deep.equal(['1', '2', '3']);
      expect(sniff.rows).to.have.length(2);
      const rows = await rowsOf(file('jan@example.com,Jan\nanna@example.com,Anna\n'));
      expect(rows.map((r) => r.line)).to.deep.equal([1, 2]);
    });

    it('takes a first row of words over a column of e-mails as the header', async () => {
      const sniff = await sniffImportFile(file('Contact,Mail\nJan Kowalski,jan@example.com\nAnna Nowak,anna@example.com\n'));
      expect(sniff.header).to.equal(true);
      expect(sniff.headers).to.deep.equal(['Contact', 'Mail']);
    });

    it('lets the user override delimiter and header', async () => {
      const p = file('Name,Email\nJan,jan@example.com\n');
      const sniff = await sniffImportFile(p, { header: false, delimiter: ';' });
      expect(sniff.options).to.deep.equal({ encoding: 'utf-8', delimiter: ';', header: false });
      expect(sniff.rows).to.deep.equal([['Name,Email'], ['Jan,jan@example.com']]);
    });

    it('makes repeated column names unique and warns', async () => {
      const sniff = await sniffImportFile(file('Email,Name,Email,email,\na@example.com,A,b@example.com,c@example.com,x\n'));
      expect(sniff.headers).to.deep.equal(['Email', 'Name', 'Email (2)', 'email (3)', '5']);
      expect(sniff.warnings).to.deep.equal([{ messageKey: 'crm:import-file.duplicate_header', params: { name: 'Email', count: 3 } }]);
    });
  });

  describe('rows', () => {
    it('numbers rows by the line they start on, skips empty lines and trims cells', async () => {
      const p = file('Name,Note\r\n\r\n  Jan  ,"two\r\nlines"\r\n,\r\n   \r\nAnna, " spaced " \r\n');
      expect((await rowsOf(p)).map((r) => [r.line, r.cells])).to.deep.equal([[3, ['Jan', 'two\r\nlines']], [7, ['Anna', 'spaced']]]);
    });

    it('keeps a formula in a CSV as literal text and a stray quote inside a cell as text', async () => {
      const rows = await rowsOf(file('Name,Note\nJan,=1+2\nAnna,"=HYPERLINK(""http://x"")"\nPiotr,5" screen\n'));
      expect(rows.map((r) => r.cells[1])).to.deep.equal(['=1+2', '=HYPERLINK("http://x")', '5" screen']);
    });

    it('stops early without reading the rest when the caller breaks off', async () => {
      const p = file(`Name\n${Array.from({ length: 1000 }, (_, i) => `n${i}`).join('\n')}\n`);
      const sniff = await sniffImportFile(p);
      let n = 0;
      for await (const row of readImportRows(p, sniff.options)) { void row; if (++n === 3) break; }
      expect(n).to.equal(3);
    });
  });

  describe('refusals', () => {
    it('refuses an empty file: no bytes, only whitespace, only a BOM', async () => {
      for (const content of [Buffer.alloc(0), Buffer.from(' \r\n\t\n'), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('\ufeff\n\n')]) {
        const err = await refusal(sniffImportFile(file(content)));
        expect(err).to.include({ status: 400, code: 'import_empty', messageKey: 'crm:import-file.empty' });
      }
    });

    it('refuses a file with a header and no rows', async () => {
      const p = file('Name,Email,Phone\n');
      expect(await refusal(sniffImportFile(p))).to.include({ status: 400, code: 'import_no_rows' });
      expect(await refusal(scanImportFile(p, { encoding: 'utf-8', delimiter: ',', header: true }))).to.include({ code: 'import_no_rows' });
    });

    it('refuses renamed binaries with 415: an image, a PDF, an old .xls, a zip that is no workbook', async () => {
      const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
      const pdf = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1');
      const xls = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]);
      const zip = await new JSZip().file('readme.txt', 'hello').generateAsync({ type: 'nodebuffer' });
      const noise = Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 7919) % 256));
      for (const [name, content] of [['png', png], ['pdf', pdf], ['xls', xls], ['zip', zip], ['noise', noise]] as const) {
        const err = await refusal(sniffImportFile(file(content, 'csv')));
        expect(err, name).to.include({ status: 415, code: 'import_unsupported_type' });
      }
      expect((await refusal(sniffImportFile(file(xls)))).messageKey).to.equal('crm:import-file.unsupported_xls');
    });

    it('refuses broken quoting with the line of the broken row, also when reading', async () => {
      const unclosed = file('Name,Note\nJan,ok\nAnna,"never closed\nPiotr,x\n');
      const err = await refusal(sniffImportFile(unclosed));
      expect(err).to.include({ status: 400, code: 'import_bad_quotes', messageKey: 'crm:import-file.bad_quotes' });
      expect(err.params).to.deep.equal({ line: 3 });
      const after = file('Name,Note\nJan,ok\nAnna,"closed"then text\nPiotr,x\n');
      const options = { encoding: 'utf-8', delimiter: ',', header: true } as const;
      const scan = await refusal(scanImportFile(after, options));
      expect(scan).to.include({ code: 'import_bad_quotes' });
      expect(scan.params).to.deep.equal({ line: 3 });
    });

    it(`refuses more than ${MAX_IMPORT_COLUMNS} columns: a 10,000-column file`, async () => {
      const wide = Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',');
      const p = file(`${wide}\n${wide}\n`);
      const err = await refusal(sniffImportFile(p));
      expect(err).to.include({ status: 400, code: 'import_too_many_columns' });
      expect(err.params).to.deep.equal({ line: 1, count: 10_000, max: MAX_IMPORT_COLUMNS });
      const ok = Array.from({ length: MAX_IMPORT_COLUMNS }, (_, i) => `c${i}`).join(',');
      expect((await sniffImportFile(file(`${ok}\n${ok}\n`))).headers).to.have.length(MAX_IMPORT_COLUMNS);
    });

    it('refuses a cell longer than Excel allows, and a quote left open over a megabyte', async () => {
      const err = await refusal(sniffImportFile(file(`Name,Note\nJan,${'x'.repeat(40_000)}\n`)));
      expect(err).to.include({ code: 'import_cell_too_long' });
      expect(err.params).to.deep.equal({ line: 2, column: 2, max: 32_767 });
      const open = file(`Name,Note\nJan,"${'y,'.repeat(300_000)}\n${'z\n'.repeat(300_000)}`);
      const options = { encoding: 'utf-8', delimiter: ',', header: true } as const;
      const tooLong = await refusal(scanImportFile(open, options));
      expect(tooLong).to.include({ code: 'import_row_too_long' });
      expect(tooLong.params).to.include({ line: 2 });
    });

    it('exports the default upload limit for the web part', () => {
      expect(MAX_IMPORT_FILE_BYTES).to.equal(200 * 1024 * 1024);
    });
  });
});
