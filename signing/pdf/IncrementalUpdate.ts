// Appends new and changed objects to a PDF as one incremental update (ISO 32000-1 §7.5.6): the
// input bytes stay an exact prefix of the output, and the new cross-reference section has the
// same kind (table or stream) as the newest one in the file, with /Prev pointing back to it.
import { deflateSync } from 'node:zlib';
import { dict, name, PdfRef, PdfStream, type PdfValue } from './objects.js';
import type { PdfReader } from './PdfReader.js';
import { serialize } from './serialize.js';

export interface UpdateResult {
  readonly bytes: Buffer;
  /** Byte offset of each written object ("n g obj") in `bytes`. */
  readonly offsets: ReadonlyMap<number, number>;
}

export class IncrementalUpdate {
  readonly #objects = new Map<number, { gen: number; value: PdfValue }>();
  #next: number;

  constructor(private readonly reader: PdfReader) {
    this.#next = Math.max(reader.size, 1);
  }

  /** A fresh object number for a new object. */
  allocate(): PdfRef {
    return new PdfRef(this.#next++, 0);
  }

  /** Adds a new object, returning its reference. */
  add(value: PdfValue): PdfRef {
    const ref = this.allocate();
    this.set(ref, value);
    return ref;
  }

  /** Writes `value` as the new version of `ref` (an existing or an allocated object). */
  set(ref: PdfRef, value: PdfValue): void {
    this.#objects.set(ref.num, { gen: ref.gen, value });
  }

  toBytes(): UpdateResult {
    const input = this.reader.bytes;
    const chunks: Buffer[] = [Buffer.from(input.buffer, input.byteOffset, input.length)];
    let pos = input.length;
    const push = (b: Buffer): void => {
      chunks.push(b);
      pos += b.length;
    };
    const last = input[input.length - 1];
    if (last !== 0x0a && last !== 0x0d) push(Buffer.from('\n'));
    const offsets = new Map<number, number>();
    const nums = [...this.#objects.keys()].sort((a, b) => a - b);
    for (const num of nums) {
      const { gen, value } = this.#objects.get(num)!;
      offsets.set(num, pos);
      push(Buffer.concat([Buffer.from(`${num} ${gen} obj\n`), serialize(value), Buffer.from('\nendobj\n')]));
    }
    const carried = dict({
      Root: this.reader.trailer.get('Root'),
      Info: this.reader.trailer.get('Info'),
      ID: this.reader.trailer.get('ID'),
    });
    const xrefOffset = pos;
    if (this.reader.sections[0]!.kind === 'stream') {
      const xrefRef = this.allocate();
      offsets.set(xrefRef.num, pos);
      const all = [...nums, xrefRef.num];
      const gens = new Map(nums.map((n) => [n, this.#objects.get(n)!.gen]));
      const size = Math.max(this.reader.size, xrefRef.num + 1);
      const stream = xrefStream(all, offsets, gens, size, this.reader.startxref, carried);
      push(Buffer.concat([Buffer.from(`${xrefRef.num} 0 obj\n`), serialize(stream), Buffer.from('\nendobj\n')]));
    } else {
      const size = Math.max(this.reader.size, this.#next);
      const lines = ['xref'];
      for (const [start, run] of contiguousRuns(nums)) {
        lines.push(`${start} ${run.length}`);
        for (const n of run)
          lines.push(
            `${String(offsets.get(n)).padStart(10, '0')} ${String(this.#objects.get(n)!.gen).padStart(5, '0')} n\r`,
          );
      }
      const trailer = new Map(carried);
      trailer.set('Size', size);
      trailer.set('Prev', this.reader.startxref);
      push(Buffer.concat([Buffer.from(`${lines.join('\n')}\ntrailer\n`), serialize(trailer), Buffer.from('\n')]));
    }
    push(Buffer.from(`startxref\n${xrefOffset}\n%%EOF\n`));
    return { bytes: Buffer.concat(chunks, pos), offsets };
  }
}

function contiguousRuns(nums: readonly number[]): [number, number[]][] {
  const runs: [number, number[]][] = [];
  for (const n of nums) {
    const cur = runs[runs.length - 1];
    if (cur && cur[0] + cur[1].length === n) cur[1].push(n);
    else runs.push([n, [n]]);
  }
  return runs;
}

function xrefStream(
  nums: readonly number[],
  offsets: ReadonlyMap<number, number>,
  gens: ReadonlyMap<number, number>,
  size: number,
  prev: number,
  carried: Map<string, PdfValue>,
): PdfStream {
  const maxOffset = Math.max(...nums.map((n) => offsets.get(n)!));
  const w1 = Math.max(1, Math.ceil(Math.log2(maxOffset + 1) / 8));
  const rowLen = 1 + w1 + 2;
  const data = Buffer.alloc(nums.length * rowLen);
  const index: number[] = [];
  nums.forEach((n, i) => {
    const row = i * rowLen;
    data[row] = 1;
    data.writeUIntBE(offsets.get(n)!, row + 1, w1);
    data.writeUInt16BE(gens.get(n) ?? 0, row + 1 + w1);
  });
  for (const [start, run] of contiguousRuns(nums)) index.push(start, run.length);
  const d = new Map(carried);
  d.set('Type', name('XRef'));
  d.set('Size', size);
  d.set('Index', index);
  d.set('W', [1, w1, 2]);
  d.set('Prev', prev);
  d.set('Filter', name('FlateDecode'));
  return new PdfStream(d, deflateSync(data));
}
