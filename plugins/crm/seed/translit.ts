/**
 * Latin spellings of names for e-mail addresses, logins and domains: Russian by the common
 * passport-style romanization (Сергей → sergey, Щукин → shchukin), Ukrainian by the official
 * 2010 national table (Юлія → yuliia, Гнатюк → hnatiuk), Polish and English by dropping
 * diacritics (Łukasz → lukasz).
 */
import type { DemoLocale } from './names.js';

const RU: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch',
  ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
};

const UK: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'h', ґ: 'g', д: 'd', е: 'e', є: 'ie', ж: 'zh', з: 'z', и: 'y', і: 'i', ї: 'i', й: 'i',
  к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'kh', ц: 'ts', ч: 'ch',
  ш: 'sh', щ: 'shch', ь: '', ю: 'iu', я: 'ia', "'": '', '’': '',
};
/** At the start of a word the Ukrainian table writes є ї й ю я as ye yi y yu ya. */
const UK_INITIAL: Record<string, string> = { є: 'ye', ї: 'yi', й: 'y', ю: 'yu', я: 'ya' };

const LATIN_EXTRA: Record<string, string> = { ł: 'l', ø: 'o', ß: 'ss', æ: 'ae', œ: 'oe' };

function latin(text: string): string {
  return text
    .replace(/[łøßæœ]/gu, (c) => LATIN_EXTRA[c] ?? c)
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '');
}

/** Lower-case ASCII letters, digits and the separators given, nothing else. */
export function transliterate(locale: DemoLocale, text: string): string {
  const lower = text.toLowerCase();
  let out = '';
  if (locale === 'ru' || locale === 'uk') {
    const table = locale === 'ru' ? RU : UK;
    let start = true;
    for (const ch of lower) {
      const mapped = locale === 'uk' && start && UK_INITIAL[ch] ? UK_INITIAL[ch] : table[ch];
      out += mapped ?? ch;
      start = !/[\p{L}'’]/u.test(ch);
    }
  } else {
    out = latin(lower);
  }
  return latin(out).replace(/[^a-z0-9 .-]/g, '');
}

/** A slug for the local part of an e-mail address or a domain label: letters and digits only. */
export function slug(locale: DemoLocale, text: string): string {
  return transliterate(locale, text).replace(/[^a-z0-9]/g, '');
}
