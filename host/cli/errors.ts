/**
 * How the command line reports failures: expected ones (bad input, a refused lifecycle change,
 * bad configuration) as one clear message; anything else with its stack. Exit code 1 either way.
 */
import path from 'node:path';
import { CommanderError } from 'commander';
import { HttpError, type I18nService } from '../api.js';
import { ConfigError } from '../config/load-config.js';
import { I18nServiceImpl } from '../i18n/i18n-service.js';
import { PluginStateError } from '../plugins/plugin-manager.js';
import { ROOT } from '../root.js';

/** An expected failure: its message is all the user needs. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Turns host errors that carry an i18n key into a CliError with the English text. */
export function translateError(err: unknown, i18n: I18nService): unknown {
  if (err instanceof HttpError) {
    const lines = [i18n.t('en', err.messageKey, err.params)];
    if (Array.isArray(err.details)) {
      for (const d of err.details) {
        const message = i18n.t('en', d.message, d.params ?? {});
        if (message !== lines[0]) lines.push(`  - ${d.field}: ${message}`);
      }
    } else if (err.details) {
      lines.push(`  ${JSON.stringify(err.details)}`);
    }
    return new CliError(lines.join('\n'));
  }
  if (err instanceof PluginStateError) return new CliError(i18n.t('en', err.messageKey, err.params));
  return err;
}

/** The host's strings, for errors raised when no host is running any more. */
function fallbackI18n(): I18nService {
  const i18n = new I18nServiceImpl();
  i18n.loadNamespace('host', path.join(ROOT, 'locales'));
  return i18n;
}

/** Prints the error and returns the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode; // commander has printed it already
  const translated = err instanceof HttpError || err instanceof PluginStateError ? translateError(err, fallbackI18n()) : err;
  if (translated instanceof CliError || translated instanceof ConfigError) {
    console.error(`error: ${translated.message}`);
  } else {
    console.error(translated);
  }
  return 1;
}
