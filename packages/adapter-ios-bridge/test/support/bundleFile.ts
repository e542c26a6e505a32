import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildBundle } from '../../scripts/bundle.mjs'

/** Builds the bundle into a fresh temporary directory and returns its path. */
export const buildBundleFile = async (): Promise<string> => {
  const outfile = join(mkdtempSync(join(tmpdir(), 'jwt-sync-bundle-')), 'jwt-sync-bridge.js')
  await buildBundle(outfile)
  return outfile
}
