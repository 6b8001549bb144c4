import { expect } from 'chai';
import { Utf8Chunks } from '../export/export-chunks.js';

describe('Export UTF-8 chunks', () => {
  it('hands on the text added since the last flush, as UTF-8, nothing twice', () => {
    const handed: Buffer[] = [];
    const chunks = new Utf8Chunks((chunk) => handed.push(Buffer.from(chunk)), 256);
    chunks.add('<row>Zażółć</row>');
    chunks.add('<row>Надія 🎉</row>');
    chunks.flush();
    chunks.flush();
    chunks.add('<row>end</row>');
    chunks.flush();
    expect(handed.map((b) => b.toString('utf8'))).to.deep.equal(['<row>Zażółć</row><row>Надія 🎉</row>', '<row>end</row>']);
  });

  it('starts a new buffer when the next text might not fit, and gives a text larger than a chunk a buffer of its own', () => {
    const handed: string[] = [];
    const chunks = new Utf8Chunks((chunk) => handed.push(chunk.toString('utf8')), 16);
    const big = 'ż'.repeat(40);
    chunks.add('abc');
    chunks.add(big);
    chunks.add('def');
    chunks.flush();
    expect(handed).to.deep.equal(['abc', `${big}def`]);
  });

  it('keeps chunks already handed on intact while it goes on writing', () => {
    const handed: Buffer[] = [];
    const chunks = new Utf8Chunks((chunk) => handed.push(chunk), 64);
    chunks.add('first');
    chunks.flush();
    chunks.add('second');
    chunks.flush();
    expect(handed.map((b) => b.toString('utf8'))).to.deep.equal(['first', 'second']);
  });
});
