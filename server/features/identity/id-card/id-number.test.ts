import { describe, expect, test } from 'vitest';
import { idBirthDate, idCheckCharacter, idChecksumValid, idSex } from './id-number.js';

describe('GB 11643 resident ID numbers', () => {
  test('the check character of the standard example and of an X-ending number', () => {
    // GB 11643-1999 appendix example: 11010519491231002X.
    expect(idCheckCharacter('11010519491231002')).toBe('X');
    expect(idChecksumValid('11010519491231002X')).toBe(true);
    expect(idChecksumValid('110105194912310021')).toBe(false);
    expect(idChecksumValid('33028219880315123')).toBe(false);
    expect(idChecksumValid('3302821988031512x')).toBe(false);
  });

  test('birth date and sex read from the number', () => {
    expect(idBirthDate('11010519491231002X')).toBe('1949-12-31');
    expect(idBirthDate('110105194902300020')).toBeUndefined();
    expect(idSex('11010519491231002X')).toBe('女');
    expect(idSex('110105194912310010')).toBe('男');
  });
});
