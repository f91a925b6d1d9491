/** What a check-in's QR code holds: `checkin:<id>:<code>` (no DOM here: the tests read it). */
export function checkInOf(text: string): { id: string; code: string } | undefined {
  const m = /^checkin:([A-Za-z0-9][A-Za-z0-9_.-]{0,63}):(\d{6})$/.exec(text.trim());
  return m ? { id: m[1], code: m[2] } : undefined;
}

/** The text of a check-in's QR code. */
export const checkInText = (id: string, code: string): string => `checkin:${id}:${code}`;

/** A code as people read it aloud: `492 031`. */
export const spaced = (code: string): string => `${code.slice(0, 3)} ${code.slice(3)}`;
