/**
 * Text encoded into UTF-8 as it is made, row by row, into large buffers handed on when full or
 * flushed. A page's text built as one string and encoded with `Buffer.from` cost more than making
 * it: the string is a rope of a million pieces that V8 must first copy flat (as UTF-16 once a Polish
 * or Cyrillic letter is in it), then encode; a row's small string encodes while it is still in
 * the cache, for about a third of that, and nothing is copied twice.
 */

/** Big enough that a page of rows makes a few writes into zlib or the socket, not hundreds. */
const CHUNK_SIZE = 256 * 1024;

export class Utf8Chunks {
  private buffer: Buffer;
  /** Where the bytes not yet handed on start, and where the next text goes. */
  private start = 0;
  private end = 0;

  constructor(
    private readonly handOn: (chunk: Buffer) => void,
    private readonly size = CHUNK_SIZE,
  ) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  /** Adds text (any length: a row larger than a chunk gets a buffer of its own). */
  add(text: string): void {
    // A UTF-16 code unit never takes more than 3 bytes in UTF-8 (a surrogate pair takes 4 for 2).
    const most = text.length * 3;
    if (this.end + most > this.buffer.length) {
      this.flush();
      // The chunks handed on keep the old buffer alive; it is never written again.
      this.buffer = Buffer.allocUnsafe(Math.max(this.size, most));
      this.start = this.end = 0;
    }
    this.end += this.buffer.write(text, this.end);
  }

  /** Hands on what was added since the last chunk, if anything. */
  flush(): void {
    if (this.end === this.start) return;
    const chunk = this.buffer.subarray(this.start, this.end);
    this.start = this.end;
    this.handOn(chunk);
  }
}
