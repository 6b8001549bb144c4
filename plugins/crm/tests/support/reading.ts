/** Helpers of the import-reading tests: every row a reader gives, and the error a file is refused with. */
import type { HttpError } from '../../../../host/api.js';
import type { ImportRow } from '../../import/import-contract.js';

export async function drain(iterable: AsyncIterable<ImportRow>): Promise<ImportRow[]> {
  const rows: ImportRow[] = [];
  for await (const row of iterable) rows.push(row);
  return rows;
}

/** The HttpError a promise rejects with. */
export async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (err) {
    return err as HttpError;
  }
  throw new Error('expected the file to be refused');
}
