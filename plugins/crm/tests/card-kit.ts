/** Small helpers for the client card's tests: form bodies, htmx requests, values read from HTML. */
import type TestAgent from 'supertest/lib/agent.js';

/** A urlencoded body from pairs, so nested names like `items[0][value]` stay exactly as written. */
export function form(fields: Record<string, string | number> | Array<[string, string | number]>): string {
  const pairs = Array.isArray(fields) ? fields : Object.entries(fields);
  return new URLSearchParams(pairs.map(([k, v]) => [k, String(v)])).toString();
}

/** A request as htmx sends it: the HX-Request header and the CSRF token in a header. */
export function hx(agent: TestAgent, csrf: string) {
  return {
    get: (url: string) => agent.get(url).set('HX-Request', 'true'),
    post: (url: string, body: string) => agent.post(url).set('HX-Request', 'true').set('X-CSRF-Token', csrf).type('form').send(body),
  };
}

/** The version carried by the first editor or restore form in a fragment. */
export function versionIn(html: string): number {
  const m = /name="version" value="(\d+)"/.exec(html);
  if (!m) throw new Error('no version in the fragment');
  return Number(m[1]);
}

/** The text of the first element with this data-testid (tags stripped, entities decoded). */
export function textOf(html: string, testid: string): string | null {
  const m = new RegExp(`data-testid="${testid}"[^>]*>([\\s\\S]*?)</(?:div|span|li|a|button|h1|p|time|em)>`).exec(html);
  return m ? plain(m[1]!) : null;
}

/** The value of a card field as shown (without its label), or null when the field is absent. */
export function fieldValue(html: string, key: string): string | null {
  const start = html.indexOf(`data-testid="field-${key}"`);
  if (start < 0) return null;
  const rest = html.slice(html.indexOf('crm-field-value', start));
  const end = rest.search(/<button|<div class="crm-field[ "]|<\/section>/);
  return plain(rest.slice(rest.indexOf('>') + 1, end < 0 ? undefined : end));
}

function plain(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&#x60;/g, '`')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
