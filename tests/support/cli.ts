/**
 * The command line as users run it (`npm run crm -- …`): a child process of host/cli/main.ts on a
 * temporary SQLite base and data folder, for the host's and plugins' CLI tests.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIST, ROOT } from '../../host/root.js';

export interface CliResult {
  code: number | null;
  /** Raw bytes: a command may write a file (an XLSX export) to stdout. */
  stdoutBytes: Buffer;
  stdout: string;
  stderr: string;
}

export type CliEnv = Record<string, string>;

/**
 * Runs `crm <args>` from the sources, or with `compiled` as `npm run crm` does, from `dist/` (built
 * beforehand); the test's own CRM_PLUGIN_PATH is not passed on.
 */
export function runCli(args: string[], env: CliEnv, options: { compiled?: boolean } = {}): Promise<CliResult> {
  const { CRM_PLUGIN_PATH: _ignored, ...inherited } = process.env;
  const entry = options.compiled ? [path.join(DIST, 'host', 'cli', 'main.js')] : ['--import', 'tsx', path.join(ROOT, 'host', 'cli', 'main.ts')];
  return outputOf(spawn(process.execPath, [...entry, ...args], { cwd: ROOT, env: { ...inherited, ...env } }));
}

/** A child process's exit code and output, once it has closed. */
export function outputOf(child: ChildProcessWithoutNullStreams): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, stdoutBytes, stdout: stdoutBytes.toString(), stderr });
    });
  });
}

/** The environment of a CLI run on its own SQLite base in `dir` (created), without demo data. */
export function cliEnv(dir: string, extra: CliEnv = {}): CliEnv {
  fs.mkdirSync(dir, { recursive: true });
  return { DATABASE_URL: `sqlite:${path.join(dir, 'crm.sqlite')}`, CRM_DATA_DIR: dir, LOG_LEVEL: 'silent', CRM_SEED_DEMO: '0', ...extra };
}

/** A fresh temporary folder for a CLI test's base and files. */
export function cliDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
