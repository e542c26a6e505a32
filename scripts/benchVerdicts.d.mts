/** A target and whether a bench run met it. */
export type BenchVerdict = { readonly target: string; readonly measured: string; readonly pass: boolean }
export declare const reportVerdicts: (bench: string, verdicts: readonly BenchVerdict[]) => void
