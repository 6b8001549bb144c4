/**
 * Where an XLSX keeps what the import reads: the first worksheet (the first `<sheet>` of
 * xl/workbook.xml that is a worksheet, found through xl/_rels/workbook.xml.rels and not by file
 * name, so a reordered or renamed sheet is still the one a person sees first), the shared strings
 * and styles parts, and whether dates count from 1904 (`<workbookPr date1904>`).
 */
import { importFileError } from './errors.js';
import { parseXml, prefixedAttribute } from './xlsx-xml.js';
import type { XlsxZip } from './xlsx-zip.js';

const WORKBOOK = 'xl/workbook.xml';
const WORKBOOK_RELS = 'xl/_rels/workbook.xml.rels';

export interface XlsxParts {
  sheet: string;
  sharedStrings: string | null;
  styles: string | null;
  date1904: boolean;
}

interface Relationship { type: string; target: string }

/** A relationship's target as a part name: relative to xl/ unless absolute, with `.`/`..` resolved. */
export function resolvePart(target: string, base = 'xl/'): string {
  let path = target;
  try {
    path = decodeURIComponent(target);
  } catch { /* not percent-encoded after all */ }
  const segments = path.startsWith('/') ? [] : base.split('/').filter(Boolean);
  for (const segment of path.split('/')) {
    if (segment === '..') segments.pop();
    else if (segment && segment !== '.') segments.push(segment);
  }
  return segments.join('/');
}

/** xsd:boolean. */
const isTrue = (value: string | undefined) => value === '1' || value === 'true';

async function readWorkbook(zip: XlsxZip): Promise<{ sheetIds: string[]; date1904: boolean }> {
  const sheetIds: string[] = [];
  let date1904 = false;
  let inSheets = false;
  await parseXml(await zip.open(WORKBOOK), {
    open(name, attributes) {
      if (name === 'workbookPr') date1904 = isTrue(attributes.date1904);
      else if (name === 'sheets') inSheets = true;
      else if (name === 'sheet' && inSheets) {
        const id = prefixedAttribute(attributes, 'id');
        if (id) sheetIds.push(id);
      }
    },
    close(name) {
      if (name === 'sheets') inSheets = false;
    },
    text() { /* no text matters here */ },
  });
  return { sheetIds, date1904 };
}

async function readRelationships(zip: XlsxZip): Promise<Map<string, Relationship>> {
  const rels = new Map<string, Relationship>();
  await parseXml(await zip.open(WORKBOOK_RELS), {
    open(name, attributes) {
      if (name !== 'Relationship' || attributes.TargetMode === 'External') return;
      if (attributes.Id && attributes.Type && attributes.Target) rels.set(attributes.Id, { type: attributes.Type, target: resolvePart(attributes.Target) });
    },
    close() { /* flat list */ },
    text() { /* no text matters here */ },
  });
  return rels;
}

/** Relationship types end alike in transitional and strict OOXML, whose namespaces differ. */
const ofType = (rel: Relationship | undefined, type: string) => rel !== undefined && rel.type.endsWith(`/${type}`);

/** A part named by the relationships, or where Excel puts it when they do not name it. */
function partOf(zip: XlsxZip, rels: Map<string, Relationship>, type: string, usual: string): string | null {
  for (const rel of rels.values()) if (ofType(rel, type) && zip.has(rel.target)) return rel.target;
  return zip.has(usual) ? usual : null;
}

/** The parts to read; a workbook without a worksheet is unreadable. */
export async function readPackage(zip: XlsxZip): Promise<XlsxParts> {
  const { sheetIds, date1904 } = await readWorkbook(zip);
  const rels = await readRelationships(zip);
  // A chart sheet or dialog sheet may come first; it has no cells.
  const sheetId = sheetIds.find((id) => ofType(rels.get(id), 'worksheet'));
  if (!sheetId) throw importFileError('import_unreadable');
  return {
    sheet: rels.get(sheetId)!.target,
    sharedStrings: partOf(zip, rels, 'sharedStrings', 'xl/sharedStrings.xml'),
    styles: partOf(zip, rels, 'styles', 'xl/styles.xml'),
    date1904,
  };
}
