/**
 * Booting the host for one command: no HTTP app, the job worker only when asked for, logs on
 * stderr (quiet unless LOG_LEVEL says otherwise) so stdout carries the command's output only.
 */
import pino, { type Logger } from 'pino';
import { TOKENS, type HostConfig, type I18nService } from '../api.js';
import { createHost, type Host } from '../boot.js';
import { loadConfig } from '../config/load-config.js';
import { applyHeapGrowth } from '../runtime/heap.js';
import { translateError } from './errors.js';

export interface CliBootOptions {
  /** Start the job worker (for commands that wait on jobs). */
  jobs?: boolean;
  config?: HostConfig;
  logger?: Logger;
}

export function cliConfig(env: NodeJS.ProcessEnv = process.env): HostConfig {
  const quiet = env.NODE_ENV === 'test' ? 'silent' : 'warn';
  return loadConfig({ ...env, LOG_LEVEL: env.LOG_LEVEL || quiet });
}

export function cliLogger(level: string): Logger {
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: true }));
}

export async function bootHost(options: CliBootOptions = {}): Promise<Host> {
  const config = options.config ?? cliConfig();
  const logger = options.logger ?? cliLogger(config.logLevel);
  applyHeapGrowth(config.heapGrowthPercent);
  return createHost({ config, logger, http: false, jobs: options.jobs ?? false });
}

export function i18nOf(host: Host): I18nService {
  return host.services.get<I18nService>(TOKENS.I18n);
}

/** English text of a host or plugin i18n key. */
export function say(host: Host, key: string, params?: Record<string, unknown>): string {
  return i18nOf(host).t('en', key, params);
}

/** Boots, runs `fn`, stops; host errors come out translated while the host's strings are loaded. */
export async function withHost<T>(fn: (host: Host) => Promise<T>, options: CliBootOptions = {}): Promise<T> {
  const host = await bootHost(options);
  try {
    return await fn(host);
  } catch (err) {
    throw translateError(err, i18nOf(host));
  } finally {
    await host.stop();
  }
}
