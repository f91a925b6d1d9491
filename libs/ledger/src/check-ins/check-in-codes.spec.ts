import { Secret, TOTP } from 'otpauth';
import { CheckInCodes } from './check-in-codes';

describe('check-in codes (TOTP, RFC 6238)', () => {
  it('are RFC 6238’s, by its test vectors (SHA-1, 30 s; the last 6 of its 8 digits)', () => {
    const totp = (digits: number) =>
      new TOTP({
        algorithm: 'SHA1',
        digits,
        period: 30,
        secret: new Secret({ buffer: new TextEncoder().encode('12345678901234567890').buffer }),
      });
    // RFC 6238 appendix B, SHA-1: T = 59 s, 1111111109 s, 1234567890 s, 20000000000 s.
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1_111_111_109, '07081804'],
      [1_234_567_890, '89005924'],
      [20_000_000_000, '65353130'],
    ];
    for (const [seconds, code] of vectors) {
      expect(totp(8).generate({ timestamp: seconds * 1000 })).toBe(code);
      expect(totp(6).generate({ timestamp: seconds * 1000 })).toBe(code.slice(2));
    }
  });

  const codes = new CheckInCodes('the deployment secret');
  const at = new Date('2026-06-15T04:00:10Z');
  const later = (seconds: number) => new Date(at.getTime() + seconds * 1000);

  it('shows one code per check-in and step, and knows it for now and one step either side', () => {
    const shown = codes.shown('k1', at);
    expect(shown.code).toMatch(/^\d{6}$/);
    expect(shown.validUntil).toEqual(new Date('2026-06-15T04:00:30Z'));
    expect(codes.shown('k1', later(15)).code).toBe(shown.code); // the same 30 s
    expect(codes.shown('k2', at).code).not.toBe(shown.code); // bound to its check-in
    expect(new CheckInCodes('another deployment').shown('k1', at).code).not.toBe(shown.code);
    expect(codes.match('k1', shown.code, at)).toEqual({ step: shown.step, now: shown.step });
    expect(codes.match('k1', ` ${shown.code.slice(0, 3)} ${shown.code.slice(3)} `, at)).toEqual({
      step: shown.step,
      now: shown.step,
    });
    expect(codes.match('k1', shown.code, later(30))).toEqual({
      step: shown.step,
      now: shown.step + 1,
    });
    // A screen whose clock runs a step ahead: its code is of the next step, still matched.
    const ahead = codes.shown('k1', later(30)).code;
    expect(codes.match('k1', ahead, at)).toEqual({ step: shown.step + 1, now: shown.step });
  });

  it('names a code typed 2 minutes late as late, and a code of another check-in as of none', () => {
    const shown = codes.shown('k1', at);
    expect(codes.match('k1', shown.code, later(120))).toEqual({
      step: shown.step,
      now: shown.step + 4,
    });
    const elsewhere = codes.shown('k2', at).code;
    expect(codes.match('k1', elsewhere, at).step).toBeUndefined();
    expect(codes.match('k1', '12345', at)).toEqual({ now: shown.step });
    expect(codes.match('k1', shown.code, later(30 * 40)).step).toBeUndefined(); // long gone
  });
});
