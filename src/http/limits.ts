import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createComplexityRule } from '@pothos/plugin-complexity';
import { GraphQLError, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { RequestLimits } from '../config.js';
import type { ErrorCode } from '../errors.js';
import { LIMITS } from '../sessions/limits.js';
import { nestsWithin } from '../sessions/text.js';

/**
 * Static limits on the operation document: tokens (checked while parsing, so a huge document is
 * never built), then depth, aliases and directives (checked during validation, before any resolver
 * runs); cost is `useCostLimit`. Field suggestions ("Did you mean …?") are blocked when introspection is off, so
 * the schema cannot be guessed from error messages instead.
 */
export function useOperationLimits(limits: RequestLimits, { introspection }: { introspection: boolean }): Plugin {
  return EnvelopArmorPlugin({
    maxTokens: { n: limits.maxTokens },
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...reportedAsValidationError },
    maxAliases: { n: limits.maxAliases, ...reportedAsValidationError },
    maxDirectives: { n: 50, ...reportedAsValidationError },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: !introspection },
  }) as Plugin;
}

// Armor throws a bare "Syntax Error: …" by default; reported to the validation context instead,
// the rejection is a validation error with a code, like any other invalid document.
type RejectionHandling = Pick<
  NonNullable<NonNullable<Parameters<typeof EnvelopArmorPlugin>[0]>['maxDepth']>,
  'propagateOnRejection' | 'onReject'
>;
const reportedAsValidationError: RejectionHandling = {
  propagateOnRejection: false,
  onReject: [
    (context, error) =>
      context?.reportError(
        new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
      ),
  ],
};

/**
 * MAX_COST: the operation's cost (src/graphql/cost.ts: lists priced by the most they can hold, with
 * the page sizes its variables ask for) is computed before anything executes; above the limit the
 * client gets one GRAPHQL_VALIDATION_FAILED error and nothing is read. Computed per request rather
 * than as a validation rule, because a validation result is cached per document and the cost
 * depends on the variables. The cost depends on nothing else (the costs in src/graphql/cost.ts read
 * arguments only), so it is remembered per document, operation name and variables: clients repeat
 * the same few requests, and walking the document each time showed in profiles.
 */
export function useCostLimit(maxCost: number): Plugin {
  const costs = new WeakMap<DocumentNode, Map<string, number | null>>();
  /** The operation's cost; null when its variables or operation name leave it to execution to report. */
  const costOf = (args: CostArgs): number | null => {
    let cost: number | null = null;
    const rule = createComplexityRule({
      context: args.contextValue as object,
      variableValues: args.variableValues ?? {},
      operationName: args.operationName,
      validate: ({ complexity }) => {
        cost = complexity;
      },
    });
    // Bad variables or an unknown operation name are left to execution, which reports them as usual.
    validate(args.schema, args.document, [rule]);
    return cost;
  };
  const rememberedCostOf = (args: CostArgs): number | null => {
    const variables = args.variableValues ?? {};
    // Large variables (a write's input) are costed afresh rather than kept; the size check stops
    // early, so a large input is not serialised only to be found too large. So are variables nested
    // too deep to serialise safely (hostile ones).
    if (exceedsJsonSize(variables, MAX_REMEMBERED_KEY_LENGTH) || !nestsWithin(variables, LIMITS.jsonObjectDepth))
      return costOf(args);
    const key = `${args.operationName ?? ''}\n${JSON.stringify(variables)}`;
    let remembered = costs.get(args.document);
    if (!remembered) costs.set(args.document, (remembered = new Map()));
    if (remembered.has(key)) return remembered.get(key)!;
    if (remembered.size >= MAX_REMEMBERED_PER_DOCUMENT) remembered.clear();
    const cost = costOf(args);
    remembered.set(key, cost);
    return cost;
  };
  /** The refusal of an operation over the limit; null when it may run. */
  const refusal = (args: CostArgs) => {
    const cost = rememberedCostOf(args);
    if (cost === null || cost <= maxCost) return null;
    return {
      errors: [
        new GraphQLError(
          `Query cost limit of ${maxCost} exceeded, found ${cost} (MAX_COST): ask for fewer aliases, or fewer items (first/last).`,
          { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
        ),
      ],
    };
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refused = refusal(args);
      if (refused) setResultAndStopExecution(refused);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = refusal(args);
      if (refused) setResultAndStopExecution(refused);
    },
  };
}

interface CostArgs {
  schema: GraphQLSchema;
  document: DocumentNode;
  variableValues?: Record<string, unknown> | null;
  operationName?: string | null;
  contextValue: unknown;
}

const MAX_REMEMBERED_KEY_LENGTH = 2_000;
const MAX_REMEMBERED_PER_DOCUMENT = 100;

/**
 * Bounds each operation's execution: at the deadline the client gets TIMEOUT and the executor is
 * signalled to stop resolving further fields. A write already sent to the database may still
 * commit; the error says so, and `expectedVersion` makes a retry safe.
 */
export function useOperationTimeout(timeoutMs: number): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn((args) => {
        const deadline = new AbortController();
        const requestSignal = (args as { signal?: AbortSignal }).signal;
        const signal = requestSignal ? AbortSignal.any([requestSignal, deadline.signal]) : deadline.signal;
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<ExecutionResult>((resolve) => {
          timer = setTimeout(() => {
            deadline.abort();
            resolve({ errors: [operationTimedOut(timeoutMs)] });
          }, timeoutMs);
        });
        const executed = Promise.resolve(executeFn({ ...args, signal } as typeof args));
        return Promise.race([executed, timedOut]).finally(() => clearTimeout(timer));
      });
    },
  };
}

function operationTimedOut(timeoutMs: number): GraphQLError {
  return new GraphQLError(
    `The operation did not finish within ${timeoutMs} ms. A write may still have been applied: re-read before retrying, or send expectedVersion.`,
    { extensions: { code: 'TIMEOUT' satisfies ErrorCode } },
  );
}

/**
 * MAX_RESPONSE_BYTES: a result larger than this (its JSON size, counted without serialising it,
 * stopping as soon as the ceiling is passed) is replaced by one RESPONSE_TOO_LARGE error, so the
 * memory it took is released at once instead of being serialised and sent. Static costing cannot
 * know how large stored values are; this bounds what any one response may become.
 */
export function useResponseSizeLimit(maxBytes: number): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          if (exceedsJsonSize(result.data, maxBytes)) {
            setResult({
              errors: [
                new GraphQLError(
                  `The response would be larger than ${maxBytes} bytes (MAX_RESPONSE_BYTES): select fewer fields or aliases, or fewer items (first/last).`,
                  {
                    extensions: { code: 'RESPONSE_TOO_LARGE' },
                  },
                ),
              ],
            });
          }
        },
      };
    },
  };
}

/** Whether `value` as JSON would take more than `budget` bytes (strings counted in UTF-16 units, close enough). */
function exceedsJsonSize(value: unknown, budget: number): boolean {
  let left = budget;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') left -= item.length + 2;
    else if (item === null || typeof item !== 'object') left -= 8;
    else if (Array.isArray(item)) {
      left -= 2 + item.length;
      for (const element of item) stack.push(element);
    } else {
      for (const key in item) {
        left -= key.length + 4;
        stack.push((item as Record<string, unknown>)[key]);
      }
    }
    if (left < 0) return true;
  }
  return false;
}
