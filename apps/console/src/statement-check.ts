import { sha256 } from '@noble/hashes/sha2.js';
import {
  verifyStatement,
  type Statement,
  type StatementCheck,
  type StatementCrypto,
} from '../../../libs/domain/src/audit/statement';

export type { Statement, StatementCheck };

/**
 * The statement check in the browser, offline: the same code as `ledger verify-statement`
 * (@ledger/domain), with SHA-256 from @noble/hashes and Ed25519 from the browser's WebCrypto.
 */
const BROWSER_CRYPTO: StatementCrypto = {
  sha256: (data) => sha256(data),
  verifyEd25519: async (signature, message, publicKey) => {
    const key = await crypto.subtle.importKey(
      'raw',
      new Uint8Array(publicKey),
      { name: 'Ed25519' },
      false,
      ['verify'],
    );
    return crypto.subtle.verify(
      { name: 'Ed25519' },
      key,
      new Uint8Array(signature),
      new Uint8Array(message),
    );
  },
};

export function checkStatement(statement: Statement, publicKey: string): Promise<StatementCheck> {
  return verifyStatement(statement, publicKey, BROWSER_CRYPTO);
}
