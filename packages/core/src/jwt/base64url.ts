// Plain-ECMAScript base64url and UTF-8 decoding: the core runs in JavaScriptCore, which has no
// atob, Buffer or TextDecoder.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const VALUE_OF = new Map<string, number>(Array.from(ALPHABET, (char, index) => [char, index]))

/** Decodes base64url (padding optional) to bytes; null when the text is not base64url. */
export const decodeBase64Url = (text: string): number[] | null => {
  const body = text.replace(/=+$/, '')
  if (body.length % 4 === 1) return null
  const bytes: number[] = []
  let buffer = 0
  let bits = 0
  for (const char of body) {
    const value = VALUE_OF.get(char)
    if (value === undefined) return null
    buffer = (buffer << 6) | value
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes.push((buffer >> bits) & 0xff)
    }
  }
  return bytes
}

/** Decodes UTF-8 bytes to a string; null on an invalid sequence. */
export const decodeUtf8 = (bytes: readonly number[]): string | null => {
  let out = ''
  for (let i = 0; i < bytes.length; ) {
    const first = bytes[i] ?? 0
    let codePoint: number
    let extra: number
    if (first < 0x80) [codePoint, extra] = [first, 0]
    else if (first >= 0xc2 && first < 0xe0) [codePoint, extra] = [first & 0x1f, 1]
    else if (first >= 0xe0 && first < 0xf0) [codePoint, extra] = [first & 0x0f, 2]
    else if (first >= 0xf0 && first < 0xf5) [codePoint, extra] = [first & 0x07, 3]
    else return null
    for (let k = 1; k <= extra; k++) {
      const next = bytes[i + k]
      if (next === undefined || (next & 0xc0) !== 0x80) return null
      codePoint = (codePoint << 6) | (next & 0x3f)
    }
    if (codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return null
    out += String.fromCodePoint(codePoint)
    i += extra + 1
  }
  return out
}
