/** One budget of .size-limit.json, checked. */
export type SizeBudget = {
  readonly name: string
  readonly import?: Readonly<Record<string, string>>
  readonly path?: string
  readonly bundle: boolean
  readonly ignore: readonly string[]
  /** The ceiling the tests enforce. */
  readonly limitBytes: number
  /** Where the bundle should get to; reported as MET or MISSED. */
  readonly targetBytes: number
}
/** A budget with what it measured. */
export type BudgetResult = SizeBudget & { readonly minifiedBytes: number; readonly gzipBytes: number; readonly commonJsModules: readonly string[] }
export declare const readBudgets: (file: string) => SizeBudget[]
export declare const measureBudget: (budget: SizeBudget, options: { resolveDir: string }) => Promise<BudgetResult>
export declare const measureBudgets: (file: string, options: { resolveDir: string }) => Promise<BudgetResult[]>
export declare const formatBudget: (result: BudgetResult) => string
export declare const withWorkspaceApp: <A>(root: string, measure: (appDirectory: string) => Promise<A>) => Promise<A>
