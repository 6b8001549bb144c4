/** `npm run build` (run by `npm start`, `npm run crm` and `npm run bench` before they start). */
import { buildDist } from './build-dist.js';

buildDist().then(
  ({ files, changed, ms }) => {
    console.error(`dist/: ${changed} of ${files} files changed (${ms} ms)`);
  },
  (err: unknown) => {
    // esbuild's errors name the file, line and column of each problem.
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
