import { describe, expect, test } from 'vitest';
import { nestingDepth } from '../../src/http/nesting.js';

describe('nestingDepth', () => {
  test('counts braces, parentheses and brackets together', () => {
    expect(nestingDepth('{ a }')).toBe(1);
    expect(nestingDepth('{ a(x: [{ y: 1 }]) { b } }')).toBe(4);
    expect(nestingDepth(`query { ${'a { '.repeat(50)}${'}'.repeat(51)}`)).toBe(51);
  });

  test('ignores brackets inside strings, block strings and comments', () => {
    expect(nestingDepth('{ a(s: "{{{[[[(((\\" {{{") }')).toBe(2);
    expect(nestingDepth('{ a(s: """ {{{ \\""" {{{ """) }')).toBe(2);
    expect(nestingDepth('# {{{{{\n{ a }')).toBe(1);
  });
});
