import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import { expect } from 'chai';
import yauzl, { type Entry } from 'yauzl';
import { ZipWriter } from '../export/export-zip.js';

/** Every entry of a zip: its name, the CRC-32 its headers give, and its content. */
async function entries(zip: Buffer): Promise<Array<{ name: string; crc: number; text: string }>> {
  const file = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.fromBuffer(zip, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z!))));
  const out: Array<{ name: string; crc: number; text: string }> = [];
  await new Promise<void>((resolve, reject) => {
    file.on('entry', (entry: Entry) => {
      file.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream!.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
          out.push({ name: entry.fileName, crc: entry.crc32, text: Buffer.concat(chunks).toString('utf8') });
          file.readEntry();
        });
      });
    });
    file.on('end', resolve).on('error', reject);
    file.readEntry();
  });
  return out;
}

/** The CRC-32 of a text, as gzip computes it (its trailer's first four bytes). */
const crcOf = (text: string) => {
  const gz = zlib.gzipSync(Buffer.from(text));
  return gz.readUInt32LE(gz.length - 8);
};

describe('Export zip writer', () => {
  it('writes whole and streamed parts, deflated, with their CRC-32 and sizes, readable by a zip reader', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const zip = new ZipWriter(out, 1);
    zip.file('a.xml', '<a>Zażółć</a>');
    const sheet = zip.stream('big/sheet.xml');
    // Large enough for many deflate output chunks, so the gzip frame is cut across chunk edges.
    const parts = Array.from({ length: 2000 }, (_, i) => `<row r="${i}">${'x'.repeat(i % 97)}${Math.sin(i)}</row>`);
    for (const part of parts) if (!sheet.write(Buffer.from(part))) await new Promise((resolve) => sheet.stream.once('drain', resolve));
    sheet.stream.end();
    await sheet.done;
    zip.file('z.xml', '');
    await zip.end();

    const read = await entries(Buffer.concat(chunks));
    const big = parts.join('');
    expect(read.map((e) => e.name)).to.deep.equal(['a.xml', 'big/sheet.xml', 'z.xml']);
    expect(read.map((e) => e.text)).to.deep.equal(['<a>Zażółć</a>', big, '']);
    expect(read.map((e) => e.crc)).to.deep.equal([crcOf('<a>Zażółć</a>'), crcOf(big), 0]);
  });
});
