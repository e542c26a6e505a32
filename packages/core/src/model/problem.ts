/**
 * A non-authentication problem worth an app's attention: dead letters (R10), storage failures.
 *
 * @example
 * ```ts
 * sdk.registerProblemListener((problem: SdkProblem) => {
 *   if (problem.type === 'DEAD_LETTER') console.warn(problem.itemIds, problem.status, problem.reason)
 * })
 * ```
 */
export type SdkProblem =
  | { readonly type: 'DEAD_LETTER'; readonly itemIds: readonly string[]; readonly status: number; readonly reason: string }
  | { readonly type: 'STORAGE'; readonly kind: string; readonly message: string }
  | { readonly type: 'CORRUPT_RECORDS'; readonly skipped: number }
