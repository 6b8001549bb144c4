import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { LANGUAGES } from '../../host/api.js';
import { ROOT } from '../support/test-host.js';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : flatten(v, `${prefix}${k}.`)));
}

const PLURAL = /_(zero|one|two|few|many|other)$/;
/** The plural categories each language needs (Intl.PluralRules, integers and fractions). */
const categories = (lng: string) => new Intl.PluralRules(lng).resolvedOptions().pluralCategories;

/** `<dir>/<lng>.json`, or every `<dir>/<lng>/<part>.json` under the key `<part>`. */
function readLocale(dir: string, lng: string): Tree {
  const file = path.join(dir, `${lng}.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Tree;
  const folder = path.join(dir, lng);
  if (!fs.existsSync(folder)) return {};
  const tree: Tree = {};
  for (const part of fs.readdirSync(folder).filter((f) => f.endsWith('.json'))) tree[part.replace(/\.json$/, '')] = JSON.parse(fs.readFileSync(path.join(folder, part), 'utf8')) as Tree;
  return tree;
}

function namespaces(): Array<{ ns: string; dir: string }> {
  const list = [{ ns: 'host', dir: path.join(ROOT, 'locales') }];
  const plugins = path.join(ROOT, 'plugins');
  if (fs.existsSync(plugins)) {
    for (const id of fs.readdirSync(plugins)) {
      const dir = path.join(plugins, id, 'locales');
      if (fs.existsSync(dir)) list.push({ ns: id, dir });
    }
  }
  return list;
}

describe('Locales', () => {
  for (const { ns, dir } of namespaces()) {
    describe(`namespace "${ns}"`, () => {
      const keys = Object.fromEntries(LANGUAGES.map((l) => [l, flatten(readLocale(dir, l))]));
      const base = (k: string) => k.replace(PLURAL, '');

      for (const lng of LANGUAGES) {
        it(`has every key in ${lng}`, () => {
          const mine = new Set(keys[lng]!.map(base));
          const missing = [...new Set(LANGUAGES.flatMap((l) => keys[l]!.map(base)))].filter((k) => !mine.has(k));
          expect(missing, `missing in ${ns}/${lng}`).to.deep.equal([]);
        });

        it(`has every plural form ${lng} needs`, () => {
          const plurals = [...new Set(keys[lng]!.filter((k) => PLURAL.test(k)).map(base))];
          const have = new Set(keys[lng]);
          const missing = plurals.flatMap((k) => categories(lng).map((c) => `${k}_${c}`)).filter((k) => !have.has(k));
          expect(missing, `plural forms missing in ${ns}/${lng}`).to.deep.equal([]);
        });
      }

      it('keeps the same {{placeholders}} in every language', () => {
        const read = (l: string) => {
          const flat: Record<string, string> = {};
          const walk = (t: Tree, p = '') => Object.entries(t).forEach(([k, v]) => (typeof v === 'string' ? (flat[base(`${p}${k}`)] = v) : walk(v, `${p}${k}.`)));
          walk(readLocale(dir, l));
          return flat;
        };
        const en = read('en');
        const vars = (s: string) => [...s.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).filter((v) => v !== 'count').sort();
        for (const lng of LANGUAGES.filter((l) => l !== 'en')) {
          const other = read(lng);
          for (const [k, v] of Object.entries(en)) expect(vars(other[k] ?? ''), `${ns}/${lng}: ${k}`).to.deep.equal(vars(v));
        }
      });
    });
  }
});
