import { createHash, randomBytes } from 'node:crypto';
import vectors from './fixtures/transparency-dev-merkle.json';
import {
  base64ToBytes,
  bytesToBase64,
  bytesToHex,
  hexToBytes,
  MemoryTree,
  merkleHasher,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

const hasher = merkleHasher((data) => new Uint8Array(createHash('sha256').update(data).digest()));
/** A vector's base64; a value that is not base64 is kept as bytes that cannot be a hash. */
const bytes = (text: string | null | undefined) => {
  try {
    return base64ToBytes(text ?? '');
  } catch {
    return new TextEncoder().encode(text ?? '');
  }
};

/** The leaves the vectors were made from (transparency-dev's testonly.LeafInputs). */
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(hexToBytes);

describe('the Merkle tree (RFC 9162 §2.1)', () => {
  describe('transparency-dev test vectors', () => {
    it.each(vectors.inclusion.map((v) => [v.file, v] as const))('inclusion %s', (_, v) => {
      const refusal = verifyInclusion(
        v.leafIdx,
        v.treeSize,
        bytes(v.leafHash),
        (v.proof ?? []).map(bytes),
        bytes(v.root),
        hasher,
      );
      expect({ refused: refusal !== undefined, refusal }).toMatchObject({ refused: v.wantErr });
    });

    it.each(vectors.consistency.map((v) => [v.file, v] as const))('consistency %s', (_, v) => {
      const refusal = verifyConsistency(
        v.size1,
        v.size2,
        bytes(v.root1),
        bytes(v.root2),
        (v.proof ?? []).map(bytes),
        hasher,
      );
      expect({ refused: refusal !== undefined, refusal }).toMatchObject({ refused: v.wantErr });
    });

    it('makes the vectors’ roots and proofs from their leaves', () => {
      const tree = new MemoryTree(hasher);
      LEAVES.forEach((leaf) => tree.append(leaf));
      const happy = (list: { file: string; desc: string }[]) =>
        list.filter((v) => v.desc === 'happy path');
      for (const v of happy(vectors.inclusion) as typeof vectors.inclusion) {
        expect(bytesToBase64(tree.root(v.treeSize))).toBe(v.root);
        expect(tree.inclusionProof(v.leafIdx, v.treeSize).map(bytesToBase64)).toEqual(
          v.proof ?? [],
        );
      }
      for (const v of happy(vectors.consistency) as typeof vectors.consistency) {
        expect(bytesToBase64(tree.root(v.size1))).toBe(v.root1);
        expect(bytesToBase64(tree.root(v.size2))).toBe(v.root2);
        expect(tree.consistencyProof(v.size1, v.size2).map(bytesToBase64)).toEqual(v.proof ?? []);
      }
      // The well-known root of these eight leaves (Certificate Transparency's tests).
      expect(bytesToHex(tree.root())).toBe(
        '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
      );
      expect(bytesToHex(tree.root(0))).toBe(
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      );
    });
  });

  describe('proofs of every leaf and every pair of sizes, and forgeries refused', () => {
    const tree = new MemoryTree(hasher);
    const data = Array.from({ length: 70 }, () => new Uint8Array(randomBytes(32)));
    data.forEach((d) => tree.append(d));
    const flip = (hash: Uint8Array) => {
      const copy = Uint8Array.from(hash);
      copy[7] ^= 1;
      return copy;
    };

    it('every leaf of every tree size is proven in it, and in no other place', () => {
      for (let size = 1; size <= data.length; size++) {
        const root = tree.root(size);
        for (let i = 0; i < size; i++) {
          const leaf = hasher.leaf(data[i]);
          const proof = tree.inclusionProof(i, size);
          expect(verifyInclusion(i, size, leaf, proof, root, hasher)).toBeUndefined();
          // A tampered event, a wrong index, a truncated or lengthened path, a forged size.
          expect(
            verifyInclusion(i, size, hasher.leaf(flip(data[i])), proof, root, hasher),
          ).toBeDefined();
          if (size > 1) {
            expect(verifyInclusion((i + 1) % size, size, leaf, proof, root, hasher)).toBeDefined();
            expect(verifyInclusion(i, size, leaf, proof.slice(0, -1), root, hasher)).toBeDefined();
            expect(
              verifyInclusion(
                i,
                size,
                leaf,
                proof.map((p, j) => (j === 0 ? flip(p) : p)),
                root,
                hasher,
              ),
            ).toBeDefined();
          }
          expect(verifyInclusion(i, size, leaf, [...proof, root], root, hasher)).toBeDefined();
          expect(verifyInclusion(i, size * 2, leaf, proof, root, hasher)).toBeDefined();
          expect(verifyInclusion(i, i, leaf, proof, root, hasher)).toBeDefined();
        }
      }
    });

    it('every smaller tree is consistent with every bigger one, and forged roots are not', () => {
      for (let to = 1; to <= data.length; to++)
        for (let from = 1; from <= to; from++) {
          const proof = tree.consistencyProof(from, to);
          const [a, b] = [tree.root(from), tree.root(to)];
          expect(verifyConsistency(from, to, a, b, proof, hasher)).toBeUndefined();
          expect(verifyConsistency(from, to, flip(a), b, proof, hasher)).toBeDefined();
          expect(verifyConsistency(from, to, a, flip(b), proof, hasher)).toBeDefined();
          if (proof.length > 0) {
            expect(verifyConsistency(from, to, a, b, proof.slice(1), hasher)).toBeDefined();
            expect(verifyConsistency(from, to, a, b, [...proof, a], hasher)).toBeDefined();
          }
          if (from < to) expect(verifyConsistency(from + 1, to, a, b, proof, hasher)).toBeDefined();
        }
    });

    it('a history rewritten below an old root is caught by the consistency check', () => {
      const rewritten = new MemoryTree(hasher);
      data.forEach((d, i) => rewritten.append(i === 5 ? flip(d) : d));
      const proof = rewritten.consistencyProof(10, 40);
      expect(verifyConsistency(10, 40, tree.root(10), rewritten.root(40), proof, hasher)).toBe(
        'the proof does not lead to the first root',
      );
    });
  });

  it('base64 and hex round trip', () => {
    for (let n = 0; n < 40; n++) {
      const b = new Uint8Array(randomBytes(n));
      expect(base64ToBytes(bytesToBase64(b))).toEqual(b);
      expect(bytesToBase64(b)).toBe(Buffer.from(b).toString('base64'));
      expect(hexToBytes(bytesToHex(b))).toEqual(b);
    }
    expect(() => base64ToBytes('a=b')).toThrow('not base64');
  });
});
