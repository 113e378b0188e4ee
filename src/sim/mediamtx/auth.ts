/**
 * Publish permission the way MediaMTX's internal auth decides it (v1.6+ `authInternalUsers`; docs/mediamtx.md §3.5):
 * a user entry grants actions on paths; `any` matches everyone, anonymous included. Credentials come as
 * `Authorization: Basic`, or `Bearer user:pass`. JWTs and hashed passwords are not emulated (they are refused).
 */
import type {IncomingMessage} from 'node:http'
import {isIPv4} from 'node:net'
import {atLeast, type Version} from '../../mediamtx/version.js'

export interface Credentials {
  user: string
  pass: string
}

interface InternalUser {
  user: string
  pass: string
  ips: string[]
  permissions: {action: string; path: string}[]
}

export function credentialsOf(req: Pick<IncomingMessage, 'headers'>): Credentials | null {
  const header = req.headers.authorization ?? ''
  const basic = /^Basic\s+(\S+)$/i.exec(header)
  const bearer = /^Bearer\s+(.+)$/i.exec(header)
  const pair = basic ? Buffer.from(basic[1] ?? '', 'base64').toString('utf8') : (bearer?.[1] ?? null)
  if (pair === null) return null
  const colon = pair.indexOf(':')
  return colon < 0 ? {user: pair, pass: ''} : {user: pair.slice(0, colon), pass: pair.slice(colon + 1)}
}

function users(raw: Record<string, unknown>): InternalUser[] {
  const list = raw['authInternalUsers']
  if (!Array.isArray(list)) {
    return [{user: 'any', pass: '', ips: [], permissions: [{action: 'publish', path: ''}]}]
  }
  return list.map((entry) => {
    const e = (entry ?? {}) as Record<string, unknown>
    const perms = Array.isArray(e['permissions']) ? (e['permissions'] as Record<string, unknown>[]) : []
    return {
      user: String(e['user'] ?? ''),
      pass: e['pass'] === null || e['pass'] === undefined ? '' : String(e['pass']),
      ips: Array.isArray(e['ips']) ? (e['ips'] as unknown[]).map(String) : [],
      permissions: perms.map((p) => ({
        action: String(p?.['action'] ?? ''),
        path: p?.['path'] ? String(p['path']) : '',
      })),
    }
  })
}

function ipAllowed(ips: readonly string[], ip: string): boolean {
  if (ips.length === 0) return true
  return ips.some((net) => {
    const [base, bits] = net.split('/')
    if (bits === undefined) return base === ip
    if (!isIPv4(base ?? '') || !isIPv4(ip)) return base === ip
    const toInt = (a: string) => a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0
    const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0
    return (toInt(base ?? '') & mask) === (toInt(ip) & mask)
  })
}

function pathAllowed(rule: string, path: string): boolean {
  if (rule === '') return true
  if (rule.startsWith('~')) return new RegExp(rule.slice(1)).test(path)
  return rule === path
}

/** `ok`, or `denied` (401 with `WWW-Authenticate` when no credentials were given). */
export function authorizePublish(
  raw: Record<string, unknown>,
  version: Version,
  path: string,
  ip: string,
  credentials: Credentials | null,
): 'ok' | 'denied' {
  if (!atLeast(version, 'v1.6.0')) return 'ok'
  const granted = users(raw).some((u) => {
    if (!u.permissions.some((p) => p.action === 'publish' && pathAllowed(p.path, path))) return false
    if (!ipAllowed(u.ips, ip)) return false
    if (u.user === 'any') return true
    return credentials !== null && credentials.user === u.user && credentials.pass === u.pass && u.pass !== ''
  })
  return granted ? 'ok' : 'denied'
}

/** The `paths:` entry that a path name falls under, or undefined ("path 'x' is not configured"). */
export function matchPathConf(names: readonly string[], path: string): string | undefined {
  if (names.includes(path)) return path
  for (const name of names) if (name.startsWith('~') && new RegExp(name.slice(1)).test(path)) return name
  if (names.includes('all_others')) return 'all_others'
  if (names.includes('all')) return 'all'
  return undefined
}
