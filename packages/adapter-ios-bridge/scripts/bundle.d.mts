export declare const bundleOptions: (outfile?: string) => Record<string, unknown>
export declare const buildBundle: (outfile?: string) => Promise<{ text: string; bytes: number; gzipBytes: number; warnings: unknown[] }>
