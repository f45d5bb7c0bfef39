// The 18-character resident ID number of GB 11643-1999: 6 digits of region, 8 of birth date
// (YYYYMMDD), 3 of sequence (the last of them odd for men, even for women) and a check character
// (ISO 7064 MOD 11-2 over the first 17: weights 2^(17-i) mod 11, result 0..10 written 1 0 X 9 … 2).

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/** The check character the first 17 digits call for. */
export function idCheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('expected 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** Is this an 18-character number whose check character is right? */
export function idChecksumValid(id: string): boolean {
  return /^\d{17}[\dX]$/.test(id) && idCheckCharacter(id.slice(0, 17)) === id[17];
}

/** The birth date the number encodes, as YYYY-MM-DD (undefined when it is no calendar date). */
export function idBirthDate(id: string): string | undefined {
  const m = /^\d{6}(\d{4})(\d{2})(\d{2})/.exec(id);
  if (!m) return undefined;
  const [, y, mo, d] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const iso = date.toISOString().slice(0, 10);
  return iso === `${y}-${mo}-${d}` ? iso : undefined;
}

/** 男 for an odd sequence digit (the 17th character), 女 for an even one. */
export function idSex(id: string): '男' | '女' | undefined {
  const digit = id[16];
  if (digit === undefined || !/\d/.test(digit)) return undefined;
  return Number(digit) % 2 === 1 ? '男' : '女';
}
