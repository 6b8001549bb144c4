/**
 * i18next with one namespace per plugin (`host` for the kernel). Plural forms follow
 * Intl.PluralRules (`_one`, `_few`, `_many`, `_other`), which Polish, Russian and Ukrainian need.
 */
import fs from 'node:fs';
import path from 'node:path';
import i18next, { type i18n, type TFunction } from 'i18next';
import { LANGUAGES, type I18nService, type Language } from '../api.js';

export class I18nServiceImpl implements I18nService {
  readonly languages = LANGUAGES;
  private readonly instance: i18n;

  constructor() {
    this.instance = i18next.createInstance();
    void this.instance.init({
      initAsync: false,
      lng: 'en',
      fallbackLng: 'en',
      supportedLngs: [...LANGUAGES],
      ns: ['host'],
      defaultNS: 'host',
      resources: {},
      interpolation: { escapeValue: false }, // Handlebars escapes on output
      returnNull: false,
    });
  }

  /**
   * Loads `<dir>/<lng>.json` for every language into the namespace, or, for a plugin that splits
   * its strings by screen, every `<dir>/<lng>/<part>.json` under the key `<part>`.
   */
  loadNamespace(ns: string, dir: string): void {
    for (const lng of LANGUAGES) {
      const file = path.join(dir, `${lng}.json`);
      const folder = path.join(dir, lng);
      if (fs.existsSync(file)) {
        this.instance.addResourceBundle(lng, ns, JSON.parse(fs.readFileSync(file, 'utf8')), true, true);
      } else if (fs.existsSync(folder)) {
        for (const part of fs.readdirSync(folder).filter((f) => f.endsWith('.json')).sort()) {
          const strings = JSON.parse(fs.readFileSync(path.join(folder, part), 'utf8'));
          this.instance.addResourceBundle(lng, ns, { [part.replace(/\.json$/, '')]: strings }, true, true);
        }
      }
    }
  }

  hasNamespace(ns: string): boolean {
    return this.instance.hasResourceBundle('en', ns);
  }

  t(language: string, key: string, options?: Record<string, unknown>): string {
    return this.fixedT(language)(key, options) as string;
  }

  fixedT(language: string): TFunction {
    return this.instance.getFixedT(this.pick(language), 'host');
  }

  /** The nearest supported language of a tag like `pl-PL`, else English. */
  pick(tag: string | null | undefined): Language {
    const base = (tag ?? '').toLowerCase().split('-')[0] as Language;
    return (LANGUAGES as readonly string[]).includes(base) ? base : 'en';
  }
}
