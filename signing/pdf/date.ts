// PDF date strings (ISO 32000-1 §7.9.4), always written in UTC.

export function pdfDate(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}+00'00'`;
}

/** Parses "D:YYYYMMDDHHmmSS+HH'mm'" (any prefix of it); undefined when unreadable. */
export function parsePdfDate(s: string): Date | undefined {
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Z+-])?(\d{2})?'?(\d{2})?/.exec(s);
  if (!m) return undefined;
  const [, y, mo = '01', da = '01', h = '00', mi = '00', se = '00', sign, oh = '00', om = '00'] = m;
  const utc = Date.UTC(+y!, +mo - 1, +da, +h, +mi, +se);
  const offset = sign === '+' || sign === '-' ? (sign === '+' ? 1 : -1) * (+oh * 60 + +om) * 60_000 : 0;
  return new Date(utc - offset);
}
