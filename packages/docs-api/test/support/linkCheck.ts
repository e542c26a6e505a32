import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, extname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (this file is packages/docs-api/test/support/linkCheck.ts). */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url)).replace(/[\\/]$/, '')

/**
 * Files git tracks (the working-tree copy of each, as long as it exists), relative to the root.
 * Only committed files count: a colleague's scratch file is not the project's documentation.
 */
export const trackedFiles = (root: string = repoRoot): string[] =>
  execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter((path) => path.length > 0 && existsSync(join(root, path)))

/** The spec documents that were never in this repository; the repo's own are in docs/. */
export const OUTSIDE_SPEC_NAMES = ['api', 'behaviour', 'behavior', 'wire-protocol', 'design', 'bridge'] as const

/** A web "link" whose host is really a file name (`http://README.md`): TypeDoc's linkify made those. */
const FILE_LIKE_HOST = /\.(md|markdown|mdx|ts|tsx|mts|cts|js|mjs|cjs|json|jsonc)$/i
const SCHEME = /^[a-z][a-z0-9+.-]*:/i

const isFileLikeWebLink = (target: string): boolean => {
  if (!/^(https?:)?\/\//i.test(target)) return false
  try {
    return FILE_LIKE_HOST.test(new URL(target, 'http://base.invalid').hostname)
  } catch {
    return true
  }
}

/** Blanks fenced code blocks (keeping the line count) and inline code spans of a markdown text. */
export const withoutCode = (markdown: string): string => {
  let fence: string | null = null
  return markdown
    .split('\n')
    .map((line) => {
      const opener = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1]
      if (fence === null && opener !== undefined) {
        fence = opener
        return ''
      }
      if (fence !== null) {
        if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') fence = null
        return ''
      }
      return line.replace(/(`+)[^`]*?\1/g, '')
    })
    .join('\n')
}

/**
 * The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens
 * (the rule of github-slugger). Markdown inside the heading is reduced to its text first.
 */
export const githubSlug = (heading: string): string =>
  heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')

/** Every anchor a markdown file offers: its headings' slugs (with GitHub's -1, -2 for repeats) and HTML ids. */
export const markdownAnchors = (markdown: string): Set<string> => {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  let fence: string | null = null
  for (const line of markdown.split('\n')) {
    const opener = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1]
    if (fence === null && opener !== undefined) {
      fence = opener
      continue
    }
    if (fence !== null) {
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') fence = null
      continue
    }
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1]
    if (heading !== undefined) {
      const slug = githubSlug(heading)
      const count = seen.get(slug) ?? 0
      seen.set(slug, count + 1)
      anchors.add(count === 0 ? slug : `${slug}-${count}`)
    }
    for (const match of line.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(match[1] ?? '')
  }
  return anchors
}

/** A link target found in a file, with the 1-based line it is on. */
export type FoundLink = { readonly line: number; readonly target: string }

/** The targets of inline links, images, reference definitions and HTML href/src of a markdown text, code excluded. */
export const markdownLinks = (markdown: string): FoundLink[] => {
  const found: FoundLink[] = []
  withoutCode(markdown)
    .split('\n')
    .forEach((text, index) => {
      const line = index + 1
      for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) found.push({ line, target: match[1] ?? '' })
      const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(text)?.[1]
      if (definition !== undefined) found.push({ line, target: definition })
      for (const match of text.matchAll(/<(?:a|img)\s[^>]*(?:href|src)="([^"]+)"/g)) found.push({ line, target: match[1] ?? '' })
    })
  return found
}

/** A file system the checks read through, so fixtures can stand in for the repository. */
export type Files = {
  readonly root: string
  readonly read: (absolutePath: string) => string
  readonly exists: (absolutePath: string) => boolean
}

/** The real files under `root`. */
export const diskFiles = (root: string = repoRoot): Files => ({
  root,
  read: (path) => readFileSync(path, 'utf8'),
  exists: (path) => existsSync(path),
})

const inside = (root: string, path: string): boolean => {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/**
 * Why a link of the markdown file `file` (relative to the root) does not resolve, or null when it
 * does. Web links are not fetched; only those whose host is a file name are refused.
 */
export const checkMarkdownLink = (files: Files, file: string, target: string, anchorsOf: (path: string) => Set<string>): string | null => {
  if (isFileLikeWebLink(target)) return 'a web link to a file name (a relative path was meant)'
  if (SCHEME.test(target) || target.startsWith('//')) return null
  const hash = target.indexOf('#')
  const pathPart = hash === -1 ? target : target.slice(0, hash)
  const fragment = hash === -1 ? '' : target.slice(hash + 1)
  let decoded: string
  try {
    decoded = decodeURIComponent(pathPart)
  } catch {
    return 'not a valid URL path'
  }
  const absolute = decoded === '' ? join(files.root, file) : decoded.startsWith('/') ? join(files.root, decoded) : resolve(dirname(join(files.root, file)), decoded)
  if (!inside(files.root, absolute)) return 'points outside the repository'
  if (!files.exists(absolute)) return 'no such file'
  if (fragment !== '' && extname(absolute).toLowerCase() === '.md' && !anchorsOf(absolute).has(decodeURIComponent(fragment))) {
    return `no heading or anchor "#${fragment}" in ${relative(files.root, absolute).split(sep).join('/') || file}`
  }
  return null
}

/** Every link of the given markdown files that does not resolve, as `file:line: target (reason)`. */
export const deadMarkdownLinks = (files: Files, markdownFiles: readonly string[]): string[] => {
  const anchors = new Map<string, Set<string>>()
  const anchorsOf = (path: string): Set<string> => {
    let known = anchors.get(path)
    if (known === undefined) {
      known = markdownAnchors(files.read(path))
      anchors.set(path, known)
    }
    return known
  }
  const problems: string[] = []
  for (const file of markdownFiles) {
    for (const { line, target } of markdownLinks(files.read(join(files.root, file)))) {
      const reason = checkMarkdownLink(files, file, target, anchorsOf)
      if (reason !== null) problems.push(`${file}:${line}: ${target} (${reason})`)
    }
  }
  return problems
}

const OUTSIDE_NAME = new RegExp(`[\\w./:-]*\\b(?:${OUTSIDE_SPEC_NAMES.join('|')})\\.md\\b`, 'g')

/** The package directory (packages/<name>) a file is in, if any. */
const packageRootOf = (file: string): string | null => {
  const parts = file.split('/')
  return parts[0] === 'packages' && parts.length > 2 ? `packages/${parts[1]}` : null
}

/**
 * Mentions of the outside spec documents (`<name>.md` for each of OUTSIDE_SPEC_NAMES) that do not
 * name a file of the repository: the bare file name, a path under a folder that does not exist
 * (`spec/<name>.md`), a web address (`http://<name>.md`). `docs/rules.md`-style paths pass when
 * the file exists. (Written with `<name>` so this comment does not trip its own check.)
 */
export const outsideSpecMentions = (files: Files, file: string): string[] => {
  const problems: string[] = []
  const packageRoot = packageRootOf(file)
  files
    .read(join(files.root, file))
    .split('\n')
    .forEach((text, index) => {
      for (const match of text.matchAll(OUTSIDE_NAME)) {
        const mention = match[0]
        // `jwt-sync-bridge.md` is another name; only the five spec names themselves count.
        if (!(OUTSIDE_SPEC_NAMES as readonly string[]).includes(basename(mention, '.md'))) continue
        const path = mention.replace(/^\.\//, '')
        const candidates = SCHEME.test(path) || path.startsWith('//')
          ? []
          : path.startsWith('/')
            ? [join(files.root, path)]
            : [join(files.root, path), resolve(dirname(join(files.root, file)), path), ...(packageRoot === null ? [] : [join(files.root, packageRoot, path)])]
        const resolves = candidates.some((candidate) => inside(files.root, candidate) && !candidate.split(sep).includes('node_modules') && files.exists(candidate))
        if (!resolves) problems.push(`${file}:${index + 1}: ${mention} (not a file of the repository; cite docs/rules.md, docs/wire-protocol.md, docs/integrating.md, docs/architecture.md or PROTOCOL.md)`)
      }
    })
  return problems
}

/**
 * Markdown links to `.md` files written in source files (typically in comments) whose target does
 * not resolve from the file's directory, or names a heading the target does not have.
 */
export const deadLinksInSource = (files: Files, file: string): string[] => {
  const problems: string[] = []
  files
    .read(join(files.root, file))
    .split('\n')
    .forEach((text, index) => {
      for (const match of text.matchAll(/\]\(\s*([^)\s]*\.md(?:#[^)\s]*)?)\s*\)/g)) {
        const target = match[1] ?? ''
        const reason = checkMarkdownLink(files, file, target, (path) => markdownAnchors(files.read(path)))
        if (reason !== null) problems.push(`${file}:${index + 1}: ${target} (${reason})`)
      }
    })
  return problems
}

const listFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? listFiles(path) : [path]
  })

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" }
const decodeEntities = (text: string): string => text.replace(/&(amp|lt|gt|quot|#39);/g, (_, entity: string) => ENTITIES[entity] ?? '')

/**
 * Every broken link of a generated HTML site (TypeDoc's output): web links whose host is a file
 * name (`http://README.md`), relative links to files that are not in the output, links
 * that leave the output directory, and fragments that name no id of their page.
 */
export const brokenHtmlLinks = (outDir: string): string[] => {
  const pages = listFiles(outDir).filter((path) => path.endsWith('.html'))
  const ids = new Map<string, Set<string>>()
  const idsOf = (page: string): Set<string> => {
    let known = ids.get(page)
    if (known === undefined) {
      known = new Set([...readFileSync(page, 'utf8').matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => decodeEntities(m[1] ?? '')))
      ids.set(page, known)
    }
    return known
  }
  const problems: string[] = []
  for (const page of pages) {
    const name = relative(outDir, page).split(sep).join(posix.sep)
    for (const match of readFileSync(page, 'utf8').matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      const target = decodeEntities(match[1] ?? '')
      if (isFileLikeWebLink(target)) {
        problems.push(`${name}: ${target} (a web link to a file name)`)
        continue
      }
      if (target === '' || target === '#' || SCHEME.test(target) || target.startsWith('//')) continue
      const hash = target.indexOf('#')
      const pathPart = hash === -1 ? target : target.slice(0, hash)
      const fragment = hash === -1 ? '' : target.slice(hash + 1)
      const absolute = pathPart === '' ? page : resolve(dirname(page), decodeURIComponent(pathPart.split('?')[0] ?? ''))
      if (!inside(outDir, absolute)) problems.push(`${name}: ${target} (leaves the output directory)`)
      else if (!existsSync(absolute)) problems.push(`${name}: ${target} (no such file in the output)`)
      else if (fragment !== '' && absolute.endsWith('.html') && !idsOf(absolute).has(decodeURIComponent(fragment))) {
        problems.push(`${name}: ${target} (no id "${fragment}" on that page)`)
      }
    }
  }
  return problems
}
