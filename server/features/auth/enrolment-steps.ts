// The audited steps of PIN enrolment (issue 12 §5), shared by the web API (admin code, owner
// redemption) and the `tongban pki enrolment-code | enrol` commands, so both channels count attempts
// against the same budget and leave the same audit entries. The code itself is never audited.
import type { AuditLog } from '../../kernel/audit/AuditLog.js';
import type { JsonValue } from '../../kernel/audit/canonical-json.js';
import { AppError } from '../../kernel/errors.js';
import type { PinEnrolments } from './PinEnrolments.js';
import type { RateLimiter } from './RateLimiter.js';
import type { UserService } from './UserService.js';

export interface EnrolmentStepsDeps {
  readonly enrolments: PinEnrolments;
  readonly users: UserService;
  readonly audit: AuditLog;
  readonly pinLimiter: RateLimiter;
}

/** A new one-time code for `userId`, issued by `actor` (an admin, or the CLI operator); returned once. */
export async function issueEnrolmentCodeAudited(
  deps: Omit<EnrolmentStepsDeps, 'pinLimiter'>,
  userId: string,
  actor: string,
): Promise<{ userId: string; code: string; expiresAt: string }> {
  const issued = await deps.enrolments.issue(userId, actor);
  await deps.audit.append({
    actor,
    action: 'certificate.enrolment_code_issued',
    target: `user:${issued.userId}`,
    siteId: (await deps.users.get(issued.userId)).siteId,
    details: { expiresAt: issued.expiresAt },
  });
  return issued;
}

/** Refusals that may be someone trying another's code or account: audited. */
const AUDITED_FAILURES = new Set(['enrolment_invalid', 'wrong_password', 'password_change_required']);

/**
 * Redeems `userId`'s code with the PIN they chose: counted against their PIN budget, the issued
 * certificate audited, a wrong/used/expired code (or a failed `proveOwner`) audited too. `context`
 * (source address, channel) goes into both entries. `proveOwner` is for channels without a login
 * session (the CLI checks the account password): whoever merely holds the code, such as the admin
 * who issued it, cannot choose the PIN.
 */
export async function redeemEnrolmentAudited(
  deps: EnrolmentStepsDeps,
  input: {
    userId: string;
    actor: string;
    code: string;
    pin: string;
    context: Record<string, JsonValue>;
    proveOwner?: () => Promise<void>;
  },
): Promise<{ serial: string; notAfter: string }> {
  const { userId, actor, context } = input;
  await deps.pinLimiter.consume(`enrol|${userId}`);
  try {
    await input.proveOwner?.();
    const { certificate, issuedBy } = await deps.enrolments.redeem(userId, input.code, input.pin);
    await deps.pinLimiter.reset(`enrol|${userId}`);
    await deps.audit.append({
      actor,
      action: 'certificate.issued',
      target: `user:${userId}`,
      siteId: (await deps.users.get(userId)).siteId,
      details: { serial: certificate.serial, enrolmentCodeIssuedBy: issuedBy, ...context },
    });
    return { serial: certificate.serial, notAfter: certificate.notAfter };
  } catch (err) {
    if (err instanceof AppError && AUDITED_FAILURES.has(err.code))
      await deps.audit.append({
        actor,
        action: 'certificate.enrolment_failed',
        target: `user:${userId}`,
        details: { ...context, reason: err.code },
      });
    throw err;
  }
}
