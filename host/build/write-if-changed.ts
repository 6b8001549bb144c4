import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes a compiled file unless it already holds these bytes, through a rename: a process running
 * from `dist/` never reads half a file. True when the file was written.
 */
export function writeIfChanged(file: string, contents: Uint8Array): boolean {
  if (fs.existsSync(file) && Buffer.compare(fs.readFileSync(file), contents) === 0) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, contents);
  fs.renameSync(temporary, file);
  return true;
}
