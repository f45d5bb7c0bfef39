/**
 * Statements are written once with `?` (positional) or `@name` (named) parameters, as SQLite takes
 * them; PostgreSQL numbers its parameters ($1, $2 …). This turns either form into the ordered value
 * list and, for PostgreSQL, the numbered text. Quoted strings, quoted identifiers and comments are
 * copied untouched, so a `?` or `@` inside them is never taken for a parameter.
 */
export type SqlParams = readonly unknown[] | Readonly<Record<string, unknown>>;

export type Placeholders = 'question' | 'numbered';

export interface BoundStatement {
  readonly text: string;
  readonly values: unknown[];
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

export function bindParams(text: string, params: SqlParams | undefined, style: Placeholders): BoundStatement {
  const named = params !== undefined && !Array.isArray(params);
  const positional = (params as readonly unknown[] | undefined) ?? [];
  const values: unknown[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const skipped = skipQuotedOrComment(text, i);
    if (skipped > i) {
      out += text.slice(i, skipped);
      i = skipped;
      continue;
    }
    if (c === '?') {
      if (named) throw new Error(`positional parameter in a statement given named values: ${text.slice(0, 80)}`);
      if (values.length >= positional.length) throw new Error(`too few values for: ${text.slice(0, 80)}`);
      values.push(positional[values.length]);
      out += placeholder(style, values.length);
      i += 1;
      continue;
    }
    if (c === '@' && named) {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(text);
      if (m) {
        const key = m[0];
        if (!Object.hasOwn(params, key)) throw new Error(`no value for @${key}`);
        values.push((params as Record<string, unknown>)[key]);
        out += placeholder(style, values.length);
        i += 1 + key.length;
        continue;
      }
    }
    out += c;
    i += 1;
  }
  if (!named && values.length !== positional.length) throw new Error(`too many values for: ${text.slice(0, 80)}`);
  return { text: out, values };
}

function placeholder(style: Placeholders, n: number): string {
  return style === 'numbered' ? `$${n}` : '?';
}

/** The index after a quoted string, quoted identifier or comment starting at i; i itself when none starts there. */
function skipQuotedOrComment(text: string, i: number): number {
  const c = text[i];
  if (c === "'" || c === '"') {
    let j = i + 1;
    while (j < text.length) {
      if (text[j] === c) {
        if (text[j + 1] === c) j += 2;
        else return j + 1;
      } else j += 1;
    }
    return text.length;
  }
  if (c === '-' && text[i + 1] === '-') {
    const end = text.indexOf('\n', i);
    return end < 0 ? text.length : end;
  }
  if (c === '/' && text[i + 1] === '*') {
    const end = text.indexOf('*/', i + 2);
    return end < 0 ? text.length : end + 2;
  }
  return i;
}
