/**
 * What an uploaded file is, by its content and never by its name: an XLSX is a zip holding
 * xl/workbook.xml; a CSV is text; anything else (an image, a PDF, another zip, an old binary
 * .xls renamed to .csv) is refused with 415.
 */
import { open } from 'node:fs/promises';
import type { ImportFormat } from '../import-contract.js';
import { importFileError } from './errors.js';
import { listZip } from './zip-guard.js';

/** Signatures of binary formats people upload by mistake, for a clear refusal. */
const BINARY_MAGIC: { bytes: number[]; variant?: string }[] = [
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], variant: 'unsupported_xls' }, // OLE: .xls, .doc, encrypted .xlsx
  { bytes: [0x25, 0x50, 0x44, 0x46] }, // %PDF
  { bytes: [0x89, 0x50, 0x4e, 0x47] }, // PNG
  { bytes: [0x47, 0x49, 0x46, 0x38] }, // GIF
  { bytes: [0xff, 0xd8, 0xff] }, // JPEG
  { bytes: [0x1f, 0x8b] }, // gzip
  { bytes: [0x52, 0x61, 0x72, 0x21] }, // RAR
  { bytes: [0x37, 0x7a, 0xbc, 0xaf] }, // 7z
  { bytes: [0x7b, 0x5c, 0x72, 0x74, 0x66] }, // {\rtf
];

const startsWith = (head: Buffer, bytes: number[]) => bytes.every((b, i) => head[i] === b);

export async function readHead(path: string, length: number): Promise<{ head: Buffer; size: number }> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(length, size));
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return { head: head.subarray(0, bytesRead), size };
  } finally {
    await file.close();
  }
}

/** The format of a file whose first bytes are `head`; throws 415 for what is neither. */
export async function formatOf(path: string, head: Buffer): Promise<ImportFormat> {
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
    const { names } = await listZip(path);
    if (names.has('xl/workbook.xml')) return 'xlsx';
    throw importFileError('import_unsupported_type', undefined, names.has('content.xml') ? 'unsupported_ods' : undefined);
  }
  for (const { bytes, variant } of BINARY_MAGIC) {
    if (startsWith(head, bytes)) throw importFileError('import_unsupported_type', undefined, variant);
  }
  return 'csv';
}

/** Text, not binary: no NUL, and control characters (other than tab, line ends and form feed) are rare. */
export function assertText(text: string): void {
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) throw importFileError('import_unsupported_type');
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || (c >= 0x7f && c <= 0x9f)) controls++;
  }
  if (controls > text.length / 100) throw importFileError('import_unsupported_type');
}
