/** MediaMTX release versions (`v1.9.3`, `1.9.3`): parsing and ordering, for gating config keys and behaviour. */

export type Version = readonly [number, number, number]

export function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(text.trim())
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined
}

export function formatVersion(version: Version): string {
  return `v${version.join('.')}`
}

export function compareVersions(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
}

/** `atLeast(v, 'v1.3.0')`: does version v have what arrived in that release? */
export function atLeast(version: Version, release: string): boolean {
  const other = parseVersion(release)
  if (!other) throw new Error(`bad release literal ${release}`)
  return compareVersions(version, other) >= 0
}
