export declare const lowerForHermes: (source: string, globalName: string) => Promise<string>
export declare const hermesBinary: () => string
export declare const hermesCompiler: () => string
export declare const hermesVersion: () => string
export declare const hermesBytecodeBytes: (source: string) => number
export declare const buildHermesBundle: (outfile?: string) => Promise<{ text: string; bytes: number; gzipBytes: number; bytecodeBytes: number }>
