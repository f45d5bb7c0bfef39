// ESLint for the whole repository: typescript-eslint's recommended rules without type information (a
// type-aware run costs minutes on two cores), the rules of hooks in the client, and the import boundaries
// of scripts/check-boundaries.mjs, so that an editor shows at the import what `npm run lint` would fail.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { checkImport } from './scripts/check-boundaries.mjs';

// One rule over every form of import; the verdict is the script's, on the file's repository path (taken
// from this file's folder, not the working directory, which an editor may set to a subfolder).
const root = path.dirname(fileURLToPath(import.meta.url));
const boundaries = {
  meta: { name: 'boundaries' },
  rules: {
    imports: {
      meta: {
        type: 'problem',
        docs: { description: 'Imports keep the layout of ARCHITECTURE.md (scripts/check-boundaries.mjs)' },
        schema: [],
      },
      create(context) {
        const from = path.relative(root, context.filename).split(path.sep).join('/');
        const check = (node) => {
          if (node?.type !== 'Literal' || typeof node.value !== 'string') return;
          const broken = checkImport(from, node.value);
          if (broken) context.report({ node, message: `imports ${node.value} — ${broken}` });
        };
        return {
          ImportDeclaration: (node) => check(node.source),
          ExportNamedDeclaration: (node) => check(node.source),
          ExportAllDeclaration: (node) => check(node.source),
          ImportExpression: (node) => check(node.source),
          TSImportType: (node) => check(node.argument?.literal),
          TSExternalModuleReference: (node) => check(node.expression),
        };
      },
    },
  },
};

export default defineConfig(
  {
    ignores: ['**/dist/', '.deps/', 'data/', 'bench/results/', 'bench/.scratch/', 'e2e/artifacts/', '.tmp/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { boundaries },
    rules: {
      'boundaries/imports': 'error',
      // `_`-prefixed names are deliberately unused (a parameter kept for its position, a skipped element).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // CommonJS on purpose (bin/tongban.cjs says why): require() is how it imports.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['client/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
);
