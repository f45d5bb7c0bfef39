// Keeps the error vocabulary closed: every code the server can put on the wire must be listed in
// errorCodes, and every listed code must still come from somewhere. Reads the server's source with
// the TypeScript parser, so calls spread over several lines are found too.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { errorBody, errorCodes, isErrorCode } from './errors.js';

const repo = resolve(import.meta.dirname, '..');

/** Constructors and helpers that take an error code, and the argument position of the code. */
const codeArgument: Record<string, number> = { AppError: 0, BadRequestError: 1, ConflictError: 1, reply: 1 };

/** Codes built from a library's code at run time: the template text → the library union it expands. */
const dynamicCodes: Record<string, { prefix: string; file: string; union: string }> = {
  'pdf_${err.code}': { prefix: 'pdf_', file: 'signing/errors.ts', union: 'PdfErrorCode' },
};

interface Found {
  readonly code: string;
  readonly where: string;
  readonly rule: 'argument' | 'default' | 'reply' | 'template';
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** The string members of `export type Name = 'a' | 'b'` in a file of the repository. */
function unionMembers(file: string, name: string): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isTypeAliasDeclaration(n) && n.name.text === name && ts.isUnionTypeNode(n.type)) {
      for (const t of n.type.types)
        if (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)) out.push(t.literal.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(parse(join(repo, file)));
  return out;
}

function baseClassOf(node: ts.Node): string | undefined {
  let c: ts.Node | undefined = node.parent;
  while (c && !ts.isClassDeclaration(c) && !ts.isClassExpression(c)) c = c.parent;
  const heritage =
    c && (c as ts.ClassLikeDeclaration).heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
  const base = heritage?.types[0]?.expression;
  return base && ts.isIdentifier(base) ? base.text : undefined;
}

function scanServer(): Found[] {
  const found: Found[] = [];
  for (const file of sourceFiles(join(repo, 'server'))) {
    const sf = parse(file);
    const add = (expr: ts.Expression | undefined, node: ts.Node, rule: Found['rule']) => {
      if (!expr) return;
      const where = `${relative(repo, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
      if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr))
        found.push({ code: expr.text, where, rule });
      else if (ts.isTemplateExpression(expr))
        found.push({ code: expr.getText().slice(1, -1), where, rule: 'template' });
    };
    const visit = (n: ts.Node): void => {
      if (
        (ts.isNewExpression(n) || ts.isCallExpression(n)) &&
        ts.isIdentifier(n.expression) &&
        n.expression.text in codeArgument
      ) {
        add(n.arguments?.[codeArgument[n.expression.text]!], n, 'argument');
      }
      if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword) {
        const base = baseClassOf(n);
        if (base && base in codeArgument) add(n.arguments[codeArgument[base]!], n, 'argument');
      }
      if (
        ts.isParameter(n) &&
        ts.isIdentifier(n.name) &&
        n.name.text === 'code' &&
        n.initializer &&
        baseClassOf(n) !== undefined
      ) {
        add(n.initializer, n, 'default');
      }
      if (ts.isObjectLiteralExpression(n)) {
        const named = (key: string) =>
          n.properties.find(
            (p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && p.name.getText() === key,
          );
        const code = named('code');
        if (code && ts.isPropertyAssignment(code) && named('message')) add(code.initializer, n, 'reply');
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return found;
}

describe('error codes', () => {
  const found = scanServer();
  const literal = found.filter((f) => f.rule !== 'template');
  const templates = found.filter((f) => f.rule === 'template');
  const pkiCodes = unionMembers('certs/errors.ts', 'PkiErrorCode');
  const expanded = Object.values(dynamicCodes).flatMap((d) => unionMembers(d.file, d.union).map((m) => d.prefix + m));

  test('the scan sees every kind of code site', () => {
    const codes = new Set(literal.map((f) => f.code));
    expect(codes.size).toBeGreaterThan(50);
    // One known code per rule, so a scanner that silently stops matching fails here.
    expect(literal.find((f) => f.code === 'invalid_transition')?.rule).toBe('argument'); // new ConflictError(msg, code)
    expect(literal.find((f) => f.code === 'storage_full')?.rule).toBe('argument'); // super(code, …) of an AppError
    expect(literal.find((f) => f.code === 'conflict')?.rule).toBe('default'); // code = 'conflict'
    expect(literal.some((f) => f.code === 'unknown_event' && f.rule === 'reply')).toBe(true); // { code, message }
    expect(literal.some((f) => f.code === 'malformed_json')).toBe(true); // the error reply's body(status, code, …)
    expect(pkiCodes).toContain('wrong_pin');
    expect(expanded).toContain('pdf_encrypted');
  });

  test('every code the server produces is an ErrorCode', () => {
    const unknown = literal.filter((f) => !isErrorCode(f.code)).map((f) => `${f.code} (${f.where})`);
    expect(unknown).toEqual([]);
  });

  test('codes built at run time come only from a known library union, all of it listed', () => {
    expect(templates.filter((t) => !(t.code in dynamicCodes)).map((t) => `${t.code} (${t.where})`)).toEqual([]);
    expect(expanded.filter((c) => !isErrorCode(c))).toEqual([]);
  });

  test('PKI library codes, passed through by the error reply, are listed', () => {
    expect(pkiCodes.length).toBeGreaterThan(5);
    expect(pkiCodes.filter((c) => !isErrorCode(c))).toEqual([]);
  });

  test('no listed code is stale: each comes from the server or a library union', () => {
    const produced = new Set([...literal.map((f) => f.code), ...pkiCodes, ...expanded]);
    expect(errorCodes.filter((c) => !produced.has(c))).toEqual([]);
    expect(new Set(errorCodes).size).toBe(errorCodes.length);
  });

  test('the error body accepts listed codes only', () => {
    expect(errorBody.safeParse({ error: { code: 'not_your_turn', message: 'wait' } }).success).toBe(true);
    expect(errorBody.safeParse({ error: { code: 'made_up_code', message: 'x' } }).success).toBe(false);
  });
});
