import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  brokenHtmlLinks,
  deadLinksInSource,
  deadMarkdownLinks,
  diskFiles,
  githubSlug,
  markdownAnchors,
  outsideSpecMentions,
  repoRoot,
  trackedFiles,
  type Files,
} from './support/linkCheck.js'

// Every reference in the repository resolves inside it: links between the committed markdown
// files (headings included), file names cited in code, and markdown links written in code. The
// generated API reference is checked in typedoc.test.ts with brokenHtmlLinks.

const tracked = trackedFiles()
const isBinary = (path: string): boolean => readFileSync(join(repoRoot, path)).subarray(0, 8000).includes(0)
const markdownFiles = tracked.filter((path) => path.toLowerCase().endsWith('.md'))
const textFiles = tracked.filter((path) => path !== 'pnpm-lock.yaml' && !isBinary(path))
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs|c|h|swift|kt|json|jsonc|sh)$/

/** `<base>.md`, built at run time so this file does not itself cite the names it hunts for. */
const md = (base: string): string => `${base}.md`
/** A markdown link, built at run time for the same reason. */
const link = (text: string, target: string): string => `[${text}](${target})`

describe('references in the repository resolve inside it', () => {
  it('every relative link of every committed markdown file resolves, headings included', () => {
    expect(markdownFiles).toEqual(expect.arrayContaining(['README.md', 'docs/rules.md', 'docs/wire-protocol.md', 'docs/integrating.md', 'packages/adapter-ios-bridge/PROTOCOL.md']))
    expect(deadMarkdownLinks(diskFiles(), markdownFiles)).toEqual([])
  })

  it('no file cites a spec document that is not in the repository', () => {
    expect(textFiles.length).toBeGreaterThan(100)
    expect(textFiles.flatMap((path) => outsideSpecMentions(diskFiles(), path))).toEqual([])
  })

  it('markdown links written in source files resolve', () => {
    expect(textFiles.filter((path) => SOURCE.test(path)).flatMap((path) => deadLinksInSource(diskFiles(), path))).toEqual([])
  })
})

/** An in-memory repository for the checks' own tests. */
const fixtureFiles = (contents: Record<string, string>): Files => {
  const root = '/fixture'
  const byPath = new Map(Object.entries(contents).map(([path, text]) => [join(root, path), text]))
  const directories = new Set([...byPath.keys()].flatMap((path) => path.split('/').slice(1, -1).map((_, i, parts) => `/${parts.slice(0, i + 1).join('/')}`)))
  return {
    root,
    read: (path) => {
      const text = byPath.get(path)
      if (text === undefined) throw new Error(`fixture has no ${path}`)
      return text
    },
    exists: (path) => byPath.has(path) || directories.has(path),
  }
}

describe('the link checks find what they must', () => {
  it('headings get the anchors GitHub gives them', () => {
    expect(githubSlug('When the server refuses your token: `jwt-sync verify`')).toBe('when-the-server-refuses-your-token-jwt-sync-verify')
    expect(githubSlug('1. Enable JWT and create the instance')).toBe('1-enable-jwt-and-create-the-instance')
    expect(githubSlug('Node: ending the process')).toBe('node-ending-the-process')
    expect(githubSlug('401: authentication failure')).toBe('401-authentication-failure')
    expect(githubSlug('[`@jwt-sync/core`](packages/core) and more')).toBe('jwt-synccore-and-more')
    expect([...markdownAnchors('# Title\n## Usage\n```\n## not a heading\n```\n## Usage\n<a id="custom"></a>\n')]).toEqual([
      'title',
      'usage',
      'usage-1',
      'custom',
    ])
  })

  it('a dead file, a dead heading, a web link to a file name and a link out of the repository are reported; code is skipped', () => {
    const files = fixtureFiles({
      'README.md': [
        '# Intro',
        `Good: ${link('a', 'docs/a.md')}, ${link('section', 'docs/a.md#section-two')}, ${link('self', '#intro')}, ${link('dir', 'docs')}, ${link('web', 'https://example.com/x')}.`,
        `Dead file: ${link('m', 'docs/missing.md')}`,
        `Dead heading: ${link('n', 'docs/a.md#nope')} and ${link('self', '#nowhere')}`,
        `Linkified: ${link('w', `http://${md('wire-protocol')}`)}`,
        `Outside: ${link('o', '../elsewhere/x.md')}`,
        '```',
        link('in a fence', 'docs/missing.md'),
        '```',
        `Inline code: \`${link('x', 'docs/missing.md')}\``,
        '[ref]: docs/gone.md',
      ].join('\n'),
      'docs/a.md': '# A\n## Section two\n',
    })
    expect(deadMarkdownLinks(files, ['README.md'])).toEqual([
      'README.md:3: docs/missing.md (no such file)',
      'README.md:4: docs/a.md#nope (no heading or anchor "#nope" in docs/a.md)',
      'README.md:4: #nowhere (no heading or anchor "#nowhere" in README.md)',
      `README.md:5: http://${md('wire-protocol')} (a web link to a file name (a relative path was meant))`,
      'README.md:6: ../elsewhere/x.md (points outside the repository)',
      'README.md:11: docs/gone.md (no such file)',
    ])
  })

  it('outside spec names are reported unless they name a file of the repository', () => {
    const files = fixtureFiles({
      'docs/wire-protocol.md': '# Wire protocol\n',
      'packages/server/src/a.ts': [
        `/** Steps of ${md('wire-protocol')}. */`,
        `// see spec/${md('behaviour')} and http://${md('api')}`,
        `/** The checks of \`docs/${md('wire-protocol')}\`; the bundle is jwt-sync-${md('bridge')}. */`,
        `// ../../../docs/${md('wire-protocol')} resolves from here, docs/${md('design')} does not`,
      ].join('\n'),
    })
    const reported = outsideSpecMentions(files, 'packages/server/src/a.ts').map((problem) => problem.replace(/ \(not a file.*$/, ''))
    expect(reported).toEqual([
      `packages/server/src/a.ts:1: ${md('wire-protocol')}`,
      `packages/server/src/a.ts:2: spec/${md('behaviour')}`,
      `packages/server/src/a.ts:2: http://${md('api')}`,
      `packages/server/src/a.ts:4: docs/${md('design')}`,
    ])
  })

  it('markdown links in source files must resolve from the file', () => {
    const files = fixtureFiles({
      'docs/rules.md': '# Rules\n## Error codes\n',
      'packages/core/src/a.ts': [
        `/** See ${link('the rules', '../../../docs/rules.md#error-codes')}. */`,
        `/** See ${link('the rules', '../../docs/rules.md')}. */`,
        `/** See ${link('the rules', '../../../docs/rules.md#r99')}. */`,
        'handlers[kind](message)',
      ].join('\n'),
    })
    expect(deadLinksInSource(files, 'packages/core/src/a.ts')).toEqual([
      'packages/core/src/a.ts:2: ../../docs/rules.md (no such file)',
      'packages/core/src/a.ts:3: ../../../docs/rules.md#r99 (no heading or anchor "#r99" in docs/rules.md)',
    ])
  })

  describe('generated HTML', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'jwt-sync-links-'))
    afterAll(() => rmSync(outDir, { recursive: true, force: true }))

    it('reports linkified file names, missing pages, missing ids and links out of the site', () => {
      mkdirSync(join(outDir, 'site', 'modules'), { recursive: true })
      writeFileSync(join(outDir, 'outside.html'), '<p>not part of the site</p>')
      writeFileSync(
        join(outDir, 'site', 'index.html'),
        [
          `<a href="http://${md('api')}">${md('api')}</a>`,
          '<a href="modules/core.html">ok</a> <a href="modules/core.html#createSdk">ok</a> <a href="#top">ok</a>',
          '<a href="https://typedoc.org/">ok</a> <use href="assets/icons.svg#icon"></use>',
          '<a href="modules/gone.html">gone</a> <a href="modules/core.html#nothing">no id</a> <a href="../outside.html">out</a>',
          '<h1 id="top">Top</h1>',
        ].join('\n'),
      )
      mkdirSync(join(outDir, 'site', 'assets'))
      writeFileSync(join(outDir, 'site', 'assets', 'icons.svg'), '<svg/>')
      writeFileSync(join(outDir, 'site', 'modules', 'core.html'), '<a id="createSdk"></a>')
      expect(brokenHtmlLinks(join(outDir, 'site'))).toEqual([
        `index.html: http://${md('api')} (a web link to a file name)`,
        'index.html: modules/gone.html (no such file in the output)',
        'index.html: modules/core.html#nothing (no id "nothing" on that page)',
        'index.html: ../outside.html (leaves the output directory)',
      ])
    })
  })
})
