import * as E from 'fp-ts/lib/Either.js'
import { createTokenIssuer, type TokenIssuer, type TokenIssuerOptions } from '../../src/index.js'

/** A token issuer for tests; fails the test when it cannot be created. */
export const testIssuer = (options: TokenIssuerOptions = {}): TokenIssuer => {
  const issuer = createTokenIssuer(options)
  if (E.isLeft(issuer)) throw new Error(issuer.left)
  return issuer.right
}
