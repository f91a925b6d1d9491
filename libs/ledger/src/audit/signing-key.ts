import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import {
  bytesToBase64,
  checkpointText,
  type CheckpointView,
  type StatementCrypto,
} from '@ledger/domain';
export { newSigningKey, parseSigningKey } from '../config/signing-key-text';

/**
 * The key that signs the log's tree heads (checkpoints), as C2SP tlog-checkpoint writes them: the
 * signature is Ed25519 over `origin\ntreeSize\nrootHash(base64)\n`.
 */

/** A signed tree head: `rootHash` and `signature` base64, `timestamp` when it was signed. */
export type Checkpoint = CheckpointView;

export interface PublicKeyView {
  readonly keyId: string;
  readonly algorithm: 'Ed25519';
  /** base64 of the 32-byte raw public key. */
  readonly publicKey: string;
  readonly origin: string;
}

/** The bytes a checkpoint's signature covers (the C2SP note body). */
export function checkpointBody(head: Pick<Checkpoint, 'origin' | 'treeSize' | 'rootHash'>): Buffer {
  return Buffer.from(checkpointText(head), 'utf8');
}

export class LogSigner {
  readonly publicKey: Buffer;
  /** C2SP key id: the first 4 bytes of SHA-256(origin ‖ "\n" ‖ 0x01 ‖ public key), hex. */
  readonly keyId: string;

  constructor(
    private readonly privateKey: KeyObject,
    readonly origin: string,
  ) {
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    this.publicKey = Buffer.from(String(jwk.x), 'base64url');
    this.keyId = createHash('sha256')
      .update(Buffer.concat([Buffer.from(`${origin}\n`), Buffer.of(0x01), this.publicKey]))
      .digest()
      .subarray(0, 4)
      .toString('hex');
  }

  view(): PublicKeyView {
    return {
      keyId: this.keyId,
      algorithm: 'Ed25519',
      publicKey: this.publicKey.toString('base64'),
      origin: this.origin,
    };
  }

  sign(treeSize: number, root: Uint8Array, at: Date): Checkpoint {
    const head = { origin: this.origin, treeSize, rootHash: bytesToBase64(root) };
    return {
      ...head,
      timestamp: at.toISOString(),
      keyId: this.keyId,
      signature: sign(null, checkpointBody(head), this.privateKey).toString('base64'),
    };
  }
}

/** SHA-256 and Ed25519 from node:crypto, for `verifyStatement` (the CLI, tests). */
export const NODE_STATEMENT_CRYPTO: StatementCrypto = {
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
  verifyEd25519: (signature, message, publicKey) =>
    verify(
      null,
      message,
      createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
        format: 'jwk',
      }),
      signature,
    ),
};
