// Reading one ID card image: the whole card by the Chinese model, then the two fields it reads
// least surely read again from their boxes alone with a whitelist: the ID number and the birth
// date's numbers by the English model (digits; chi_sim confuses them: it read the day 15 as 41 in a
// loaded run) and the sex character (男 or 女; one character at video resolution is easily taken
// for another).
import { afterLabel, isBirthLine, meaningful, readCardFields, type CardRead } from './id-card-fields.js';
import { withPreparedImage, type OcrLine, type OcrWord, type TesseractOptions } from './tesseract.js';

/** A word that holds most of an 18-character ID number. */
const LONG_DIGITS = /\d{12,}/;

const replaced = (lines: readonly OcrLine[], from: OcrWord, to: OcrWord): OcrLine[] =>
  lines.map((l) => (l.includes(from) ? l.map((w) => (w === from ? to : w)) : l));

export function readIdCard(image: Uint8Array, options: TesseractOptions = {}): Promise<CardRead> {
  return withPreparedImage(image, options, async (prepared) => {
    let lines: OcrLine[] = (await prepared.lines('chi_sim')).map(meaningful).filter((l) => l.length > 0);
    const number = lines.flat().find((w) => LONG_DIGITS.test(w.text));
    if (number) {
      const digits = await prepared.reread(number, 'eng', '0123456789X', 7);
      if (digits && /^\d{17}[\dX]$/.test(digits.text)) lines = replaced(lines, number, digits);
    }
    const birthLine = lines.find(isBirthLine);
    for (const word of birthLine?.filter((w) => /^\d+$/.test(w.text)) ?? []) {
      const digits = await prepared.reread(word, 'eng', '0123456789', 7);
      if (digits && digits.text.length === word.text.length && /^\d+$/.test(digits.text))
        lines = replaced(lines, word, digits);
    }
    // The sex line is the one with the 民族 label; its first value is the sex character.
    const sexLine = lines.find((l) => l.some((w) => /民族/.test(w.text)));
    const sex = sexLine && afterLabel(sexLine, '性别')[0];
    if (sex && !/^[男女]$/.test(sex.text)) {
      const char = await prepared.reread(sex, 'chi_sim', '男女', 7);
      if (char && /^[男女]$/.test(char.text)) lines = replaced(lines, sex, char);
    }
    return readCardFields(lines);
  });
}
