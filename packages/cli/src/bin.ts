#!/usr/bin/env node
import type { Command } from './command.js'
import { runCli } from './commandLine.js'
import { processIo } from './processIo.js'
import { demoCommand } from './commands/demo.js'
import { diagramCommand } from './commands/diagram.js'
import { serveCommand } from './commands/serve.js'
import { tokenCommand } from './commands/token.js'
import { verifyCommand } from './commands/verify.js'

/** The commands of `jwt-sync`, in help order. To add one: a file in commands/, one line here. */
const commands: readonly Command[] = [demoCommand, serveCommand, tokenCommand, verifyCommand, diagramCommand]

process.exitCode = await runCli(process.argv.slice(2), processIo(), commands)
