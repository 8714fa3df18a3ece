import { onTestFinished, vi } from 'vitest';

/**
 * Captures, for the rest of the current test, what libraries report with `console.error` (graphql-ws
 * on a socket error, graphql-jit on a compile-time limitation) so the test can assert it instead of
 * the run printing it. One line per call, errors as `Name: message`.
 */
export function captureConsoleErrors(): string[] {
  const captured: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    captured.push(args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg))).join(' '));
  });
  onTestFinished(() => spy.mockRestore());
  return captured;
}
