import { CHECK_IN_STEP_SECONDS, type CodeMatch } from '@ledger/domain';
import { createHmac } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/** Steps back a code is still recognised as the check-in's (to say "late by …", not "wrong"). */
const LATE_STEPS = 20;

/** A code shown now: the 6 digits, the step they are of, and until when they are the newest. */
export interface ShownCode {
  readonly code: string;
  readonly step: number;
  readonly validUntil: Date;
}

/**
 * The rotating codes of check-ins (issue 17): TOTP (RFC 6238; otpauth, SHA-1, 6 digits, 30 s),
 * one secret per check-in, derived from the deployment's secret and the check-in's id (HMAC-SHA256,
 * labelled), so every process of a deployment shows and accepts the same codes and no secret is
 * kept anywhere, in the log least of all. A code of one check-in says nothing of another's.
 */
export class CheckInCodes {
  constructor(private readonly deploymentSecret: string) {}

  /** The code to show at `at`. */
  shown(checkInId: string, at: Date): ShownCode {
    const step = stepOf(at);
    const code = this.totp(checkInId).generate({ timestamp: at.getTime() });
    return { code, step, validUntil: new Date((step + 1) * CHECK_IN_STEP_SECONDS * 1000) };
  }

  /**
   * Which step a typed code is of, searched from `LATE_STEPS` back to one step ahead of `at`
   * (the domain takes now and one step either side, and names a late one as late).
   */
  match(checkInId: string, typed: string, at: Date): CodeMatch {
    const now = stepOf(at);
    const code = typed.replace(/\s/g, '');
    if (!/^\d{6}$/.test(code)) return { now };
    const totp = this.totp(checkInId);
    for (let step = now + 1; step >= now - LATE_STEPS; step--) {
      const timestamp = step * CHECK_IN_STEP_SECONDS * 1000;
      if (totp.generate({ timestamp }) === code) return { step, now };
    }
    return { now };
  }

  private totp(checkInId: string): TOTP {
    const key = createHmac('sha256', this.deploymentSecret)
      .update(`ledger check-in code\u0000${checkInId}`)
      .digest()
      .subarray(0, 20);
    return new TOTP({
      algorithm: 'SHA1',
      digits: 6,
      period: CHECK_IN_STEP_SECONDS,
      secret: new Secret({ buffer: new Uint8Array(key).buffer }),
    });
  }
}

function stepOf(at: Date): number {
  return Math.floor(at.getTime() / (CHECK_IN_STEP_SECONDS * 1000));
}
