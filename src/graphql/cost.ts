import type { FieldComplexityValue } from '@pothos/plugin-complexity';

/**
 * The cost of a list field (read by the MAX_COST check, src/http/limits.ts): each of its at most
 * `items` elements costs 1 plus what is selected in it. Lists are priced by the most they can hold
 * (not by what a session holds now), so a cost is known before anything is read; scalar fields are
 * free and a list without a bound of its own counts as one element.
 */
export function listCost(items: number): FieldComplexityValue {
  return { field: items, multiplier: items };
}

/** The page size a paged field will read: the argument given, else its default, never above its bound. */
export function pageSize(requested: number | null | undefined, fallback: number, bound: number): number {
  return Math.min(requested ?? fallback, bound);
}
