/**
 * Free text that may hold personal data (a staff member's name, a hazard's description), kept
 * outside the immutable log so it can be erased. The event holds the text's id and a digest:
 * HMAC-SHA-256 of the text under a random key stored with the text, so while the text exists the
 * log proves what was said, and once text and key are erased the digest tells nothing (a plain
 * hash of a name or phone number could be found by trying them all).
 */
export interface KeptText {
  readonly textId: string;
  readonly digest: string;
}

/** Text written into events before it was kept outside the log: it stays in the log for ever. */
export interface InlineText {
  readonly inline: string;
}

/** Free text as an event carries it. */
export type EventText = KeptText | InlineText;

export function isKeptText(text: EventText): text is KeptText {
  return 'textId' in text;
}

/** Whose personal data a kept text is: erasing the subject erases the text. */
export const riderSubject = (riderId: string): string => `rider:${riderId}`;
export const principalSubject = (principalId: string): string => `principal:${principalId}`;

/**
 * Which token a principal acts with: the id of its row in the token table beside the log (whose
 * hash is never in the log), or, for principals created before, the token's hash in the log.
 */
export type TokenRef = { readonly tokenId: string } | { readonly legacyHash: string };
