import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * `LEDGER_SIGNING_KEY` as text and as a key: read here, where the configuration is checked, and
 * used by the tree heads (audit/signing-key.ts).
 */

/** DER of a PKCS #8 Ed25519 private key before its 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A signing key from its text: base64 of the 32-byte seed, or a PKCS #8 PEM
 * (`openssl genpkey -algorithm ed25519`). Throws saying what is wrong.
 */
export function parseSigningKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    const key = createPrivateKey(trimmed);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('is not an Ed25519 private key');
    return key;
  }
  const seed = Buffer.from(trimmed, 'base64');
  if (seed.length !== 32 || seed.toString('base64') !== trimmed)
    throw new Error('must be the base64 of a 32-byte Ed25519 seed, or a PKCS #8 PEM');
  return createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

/** A new key's text, as `LEDGER_SIGNING_KEY` takes it. */
export function newSigningKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return der.subarray(PKCS8_ED25519_PREFIX.length).toString('base64');
}
