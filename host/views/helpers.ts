/** Template helpers. Each returns plain strings, which Handlebars escapes. */
import type Handlebars from 'handlebars';
import type { TFunction } from 'i18next';

type HelperOptions = Handlebars.HelperOptions;

export function registerHelpers(hbs: typeof Handlebars): void {
  /** {{t "ns:key" count=3 name=user.name}} in the request's language. */
  hbs.registerHelper('t', function (key: string, options: HelperOptions) {
    const t = options.data?._t as TFunction | undefined;
    if (!t) return key;
    return t(key, { ...options.hash }) as string;
  });
  /** A label that is either an i18n key or a {lng: text} map (plugin names). */
  hbs.registerHelper('localized', function (value: unknown, options: HelperOptions) {
    if (value && typeof value === 'object') {
      const map = value as Record<string, string>;
      return map[options.data?._lang as string] ?? map.en ?? '';
    }
    const t = options.data?._t as TFunction | undefined;
    return typeof value === 'string' && t ? (t(value) as string) : String(value ?? '');
  });
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
  hbs.registerHelper('jobStates', () => ['queued', 'running', 'done', 'failed', 'cancelled']);
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hbs.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hbs.registerHelper('not', (a: unknown) => !a);
  hbs.registerHelper('includes', (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item));
  /** Dates in the request's language, e.g. {{date createdAt}}. */
  hbs.registerHelper('date', function (value: unknown, options: HelperOptions) {
    if (!value) return '';
    const d = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(d.getTime())) return '';
    return new Intl.DateTimeFormat(options.data?._lang ?? 'en', { dateStyle: 'medium', timeStyle: 'short' }).format(d);
  });
  /** JSON for a data-* attribute; the attribute context escapes it. */
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value ?? null));
}
