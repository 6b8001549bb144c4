/**
 * The duplicate finder's test of similar person names (used only within one company).
 */
import { expect } from 'chai';
import { foldName, similarNames, withinOneEdit } from '../merge/similar-names.js';
import { similarGroups } from '../merge/duplicate-finder.js';

const name = (first: string | null, last: string | null, middle: string | null = null) => foldName({ first_name: first, middle_name: middle, last_name: last });
const similar = (a: ReturnType<typeof name>, b: ReturnType<typeof name>) => similarNames(a, b) && similarNames(b, a);

describe('Similar person names', () => {
  it('counts one edit: a letter added, dropped or changed, or two neighbours swapped', () => {
    expect(withinOneEdit('kowalska', 'kowalska')).to.equal(true);
    expect(withinOneEdit('kowalska', 'kowalsk')).to.equal(true);
    expect(withinOneEdit('kowalsk', 'kowalska')).to.equal(true);
    expect(withinOneEdit('kowalska', 'kowalski')).to.equal(true);
    expect(withinOneEdit('kowalska', 'kowlaska')).to.equal(true);
    expect(withinOneEdit('kowalska', 'kowlasak')).to.equal(false);
    expect(withinOneEdit('nowak', 'nowakowa')).to.equal(false);
    expect(withinOneEdit('', 'a')).to.equal(true);
  });

  it('takes the same words in another order, in any case and with or without diacritics', () => {
    expect(similar(name('Anna', 'Kowalska'), name('KOWALSKA', 'anna'))).to.equal(true);
    expect(similar(name('Łukasz', 'Żółć'), name('Lukasz', 'Zolc'))).to.equal(true);
    expect(similar(name('Олена', 'Шевченко', 'Петрівна'), name('Петрівна', 'Олена Шевченко'))).to.equal(true);
  });

  it('takes an initial, one name of two, a first name one letter off, or no first name with the same last name', () => {
    expect(similar(name('J.', 'Nowak'), name('Jan', 'Nowak'))).to.equal(true);
    expect(similar(name('Anna', 'Nowak'), name('Anna Maria', 'Nowak'))).to.equal(true);
    expect(similar(name('Ania', 'Nowak'), name('Anna', 'Nowak'))).to.equal(true);
    expect(similar(name(null, 'Nowak'), name('Anna', 'Nowak'))).to.equal(true);
    expect(similar(name('Anna', 'Kowalska'), name('Anna', 'Kowalksa'))).to.equal(true);
  });

  it('keeps different people apart', () => {
    expect(similar(name('Jan', 'Nowak'), name('Jana', 'Nowak'))).to.equal(false); // short names: one letter is another person
    expect(similar(name('Adam', 'Nowak'), name('Anna', 'Nowak'))).to.equal(false);
    expect(similar(name('Piotr', 'Lis'), name('Piotr', 'Las'))).to.equal(false); // short last names must be equal
    expect(similar(name(null, 'Nowak'), name('Anna', 'Nowik'))).to.equal(false); // no first name: the last name must be equal
    expect(similar(name('Anna', 'Nowak'), name('Anna', 'Nowakowska'))).to.equal(false);
    expect(similar(name(null, null), name(null, null))).to.equal(false);
  });

  it('groups persons linked by similar names in a chain, each group in ascending ids', () => {
    const persons = [
      { id: 5, name: name('Anna', 'Kowalska') },
      { id: 2, name: name('Ania', 'Kowalska') },
      { id: 9, name: name(null, 'Kowalska') },
      { id: 3, name: name('Piotr', 'Lis') },
      { id: 4, name: name('Jan', 'Nowak') },
      { id: 7, name: name('J.', 'Nowak') },
    ];
    expect(similarGroups(persons)).to.have.deep.members([[2, 5, 9], [4, 7]]);
  });

  it('compares a very large company within the first letter of the last name', () => {
    // No two of these are one edit apart: their numbers differ in two places or in length by two.
    const persons = Array.from({ length: 2000 }, (_, i) => ({ id: i + 1, name: name(`p${i}p${i}`, `${String.fromCharCode(97 + (i % 26))}x${i}x${i}`) }));
    persons.push({ id: 5001, name: name('Anna', 'Kowalska') }, { id: 5002, name: name('Kowalska', 'Anna') }, { id: 5003, name: name(null, null) }, { id: 5004, name: name('', ' ') });
    expect(similarGroups(persons)).to.deep.equal([[5001, 5002]]);
  });
});
