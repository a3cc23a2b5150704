// Block arithmetic and the checks on what a peer sends, as pure functions (no browser).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  blockCount,
  blockLength,
  chunkBytes,
  frameFault,
  offerFault,
  piecesBlocks,
  sanitizeMime,
  type OfferLimits,
} from '../../src/file-transfer/blocks.js';

describe('blocks: arithmetic', () => {
  it('sizes a frame to the SCTP max message size, capped at 256 KiB, 64 KiB when unknown', () => {
    assert.equal(chunkBytes(262144), 262144);
    assert.equal(chunkBytes(1073741823), 262144);
    assert.equal(chunkBytes(100_000), 100_000);
    assert.equal(chunkBytes(undefined), 65536);
    assert.equal(chunkBytes(Number.NaN), 65536);
    assert.equal(chunkBytes(500), 65536, 'too small for a block of the least size');
  });

  it('counts blocks and gives each its length, the last one short', () => {
    assert.equal(blockCount(0, 4096), 0);
    assert.equal(blockCount(4096, 4096), 1);
    assert.equal(blockCount(4097, 4096), 2);
    assert.deepEqual(
      [0, 1, 2].map((i) => blockLength(i, 4096, 5000)),
      [4096, 904, 0],
    );
  });

  it('reads whole blocks up to 256 KiB in one piece, at least one, never past the end', () => {
    assert.equal(piecesBlocks(0, 262100, 10), 1);
    assert.equal(piecesBlocks(0, 65492, 10), 4);
    assert.equal(piecesBlocks(8, 65492, 10), 2);
    assert.equal(piecesBlocks(0, 1024, 1000), 256);
  });
});

describe('blocks: a frame as it arrives', () => {
  const expected = { arrived: 1, blockSize: 4096, size: 12288 };
  const code = (index: number, length: number) => frameFault(index, length, expected)?.code;

  it('takes the next block of the right length', () => {
    assert.equal(frameFault(1, 4096, expected), undefined);
    assert.equal(frameFault(2, 4096, { ...expected, arrived: 2 }), undefined);
  });

  it('names each fault', () => {
    assert.equal(code(3, 10), 'file-beyond-size', 'a block past the offered size');
    assert.equal(code(1, 4097), 'file-beyond-size', 'a block longer than it can be');
    assert.equal(code(0, 4096), 'file-duplicate-block');
    assert.equal(code(2, 4096), 'file-out-of-order');
    assert.equal(code(1, 100), 'file-size-mismatch');
  });
});

describe("blocks: an offer against this side's limits", () => {
  const limits: OfferLimits = { maxSize: 1000, accept: ['.pdf'], maxPending: 2, pending: 0, taken: false };
  const offer = { name: 'a.pdf', size: 500, mime: 'application/pdf', blockSize: 1024 };

  it('lets an offer within the limits through', () => {
    assert.equal(offerFault(offer, limits), undefined);
  });

  it('refuses, in this order: a taken id or tag, too many blocks, too many offers, too large, a type not accepted', () => {
    const code = (o: Partial<typeof offer>, l: Partial<OfferLimits> = {}) => offerFault({ ...offer, ...o }, { ...limits, ...l })?.code;
    assert.equal(code({}, { taken: true, pending: 5 }), 'file-invalid-offer');
    assert.equal(code({ size: 2 ** 53 - 1, blockSize: 1024 }, { maxSize: Infinity }), 'file-invalid-offer');
    assert.equal(code({ size: 5000 }, { pending: 2 }), 'file-too-many');
    assert.equal(code({ size: 1001, name: 'a.exe' }), 'file-too-large');
    assert.equal(code({ name: 'a.exe', mime: 'application/x-msdownload' }), 'file-type-not-accepted');
  });
});

describe('blocks: the type in an offer', () => {
  it('passes a well-formed MIME type and sends anything else as unknown', () => {
    assert.equal(sanitizeMime('application/pdf'), 'application/pdf');
    assert.equal(sanitizeMime('image/svg+xml'), 'image/svg+xml');
    assert.equal(sanitizeMime('text/html; charset=utf-8'), '');
    assert.equal(sanitizeMime('nonsense'), '');
  });
});
