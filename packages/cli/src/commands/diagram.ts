import * as E from 'fp-ts/lib/Either.js'
import { statechartToMermaid } from '@jwt-sync/core/statechart'
import { parseArguments } from '../arguments.js'
import { EXIT, type Command, usageError } from '../command.js'

const USAGE = `Usage: jwt-sync diagram [--markdown]

Print the SDK's statechart as a Mermaid state diagram, generated from the machine definition
itself (so it is never out of date).

Options:
  --markdown             wrap it in a \`\`\`mermaid fence, ready to paste into a README
  -h, --help             show this help`

/**
 * `jwt-sync diagram`: prints `statechartToMermaid()`, fenced for markdown with `--markdown`.
 *
 * @example
 * ```ts
 * await runCli(['diagram', '--markdown'], io, [diagramCommand])
 * ```
 */
export const diagramCommand: Command = {
  name: 'diagram',
  summary: 'print the SDK statechart (Mermaid)',
  usage: USAGE,
  run: async (args, io) => {
    const parsed = parseArguments(args, { markdown: { type: 'boolean' } })
    if (E.isLeft(parsed)) return usageError(io, 'diagram', `${parsed.left} (see jwt-sync diagram --help)`)
    const mermaid = statechartToMermaid()
    io.stdout(parsed.right.values['markdown'] === true ? `\`\`\`mermaid\n${mermaid}\n\`\`\`` : mermaid)
    return EXIT.ok
  },
}
