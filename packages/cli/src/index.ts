/**
 * @packageDocumentation
 * The `jwt-sync` command line: its dispatcher and commands, importable for in-process use and
 * tests. The executable is `dist/bin.js`.
 */
export type { Command, CommandIo } from './command.js'
export { EXIT } from './command.js'
export { runCli } from './commandLine.js'
export { processIo } from './processIo.js'
export { readPackageVersion } from './packageVersion.js'
export { DEFAULT_SERVE_PORT, serveCommand } from './commands/serve.js'
export { tokenCommand } from './commands/token.js'
export { verifyCommand } from './commands/verify.js'
