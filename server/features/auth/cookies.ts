// The session cookie: HttpOnly (no script access), Secure (HTTPS only), SameSite=Strict (not sent
// on cross-site requests; the Origin check in http/same-origin.ts is the other CSRF guard), scoped
// to the whole origin. The __Host- prefix makes browsers refuse it unless it is Secure, Path=/ and
// has no Domain, so a sibling subdomain cannot plant or shadow it.
export const SESSION_COOKIE = '__Host-tongban_sid';

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header || header.length > 8192) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      if (!out.has(name)) out.set(name, decodeURIComponent(raw));
    } catch {
      // A malformed escape in someone else's cookie is not our problem; skip it.
    }
  }
  return out;
}

export function sessionTokenFrom(cookieHeader: string | undefined): string | undefined {
  return parseCookies(cookieHeader).get(SESSION_COOKIE);
}

export function sessionCookie(token: string, maxAgeMs: number): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0`;
}
