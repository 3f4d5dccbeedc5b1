// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-results/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-function-type': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Per-request code: shapes V8 (Node 20) cannot share make a hidden class per object,
    // kept in the old generation with whatever it references (README, "The garbage collector").
    files: ['lib/**/*.ts'],
    ignores: ['lib/**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ObjectExpression > Property[kind=/^(get|set)$/]',
          message: 'An accessor in an object literal keeps the object and its closures alive until a full GC; use a class.',
        },
      ],
    },
  },
  {
    // The CLI, the demo and the benches talk to a person on stdout.
    files: ['cmd/**', 'bench/**', 'lib/demo/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    // Plain-JS files (the benchmark) run on Node: its globals.
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process', 'console', 'URL', 'URLSearchParams', 'Buffer', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
          'setImmediate', 'performance', 'fetch', 'AbortController', 'TextDecoder', 'TextEncoder', 'structuredClone', 'queueMicrotask',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
