/**
 * Interop with a WHIP server this project did not write: Meetecho's simple-whip-server (Debian package) in front
 * of the Janus WebRTC server (Debian package), both run by test/support/janus-harness.ts inside a private network
 * namespace with no link to anything, together with the probe. `.ci/interop-deps.sh` installs Janus and unpacks
 * simple-whip-server; a missing piece fails this test with that instruction (it is never skipped).
 */
import {spawn, spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {WhipProbeReport} from '../../../src/whip/probe.js'
import {ROOT} from '../../support/cli.js'

const interopDir =
  process.env['R58_INTEROP_DIR'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'r58-interop')
const swsRoot = join(interopDir, 'root')

function missing(): string[] {
  const out: string[] = []
  if (spawnSync('sh', ['-c', 'command -v janus']).status !== 0) out.push('janus (apt-get install janus)')
  if (spawnSync('sh', ['-c', 'command -v unshare && command -v ip']).status !== 0) out.push('unshare and ip')
  if (!existsSync(join(swsRoot, 'usr/share/simple-whip-server/src/server.js'))) {
    out.push(`simple-whip-server unpacked in ${interopDir}`)
  }
  return out
}

function runHarness(video: string, trickle: string): Promise<{report?: WhipProbeReport; error?: string; log: string}> {
  const asRoot = process.getuid?.() === 0
  const args = [
    ...(asRoot ? [] : ['--map-root-user']),
    '--net',
    process.execPath,
    '--import',
    'tsx',
    join(ROOT, 'test/support/janus-harness.ts'),
    video,
    trickle,
    swsRoot,
  ]
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', args, {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('close', () => {
      clearTimeout(timer)
      const last = stdout.trim().split('\n').pop() ?? ''
      try {
        resolve(JSON.parse(last))
      } catch {
        resolve({error: `no report (exit ${child.exitCode}): ${stderr.slice(-2000)}`, log: stdout.slice(-2000)})
      }
    })
  })
}

describe('interop: r58 probe whip against Janus + simple-whip-server (Debian packages)', () => {
  it('has the third-party server installed', () => {
    expect(missing(), 'run `sudo .ci/interop-deps.sh` (CI does)').toEqual([])
  })

  it.each([
    ['vp8', 'trickle'],
    ['h264', 'notrickle'],
  ])('publishes %s + Opus (%s), media flows, DELETE works', async (video, trickle) => {
    expect(missing()).toEqual([])
    const out = await runHarness(video, trickle)
    expect(out.error, out.log).toBeUndefined()
    const report = out.report as WhipProbeReport
    const status = Object.fromEntries(report.checks.map((c) => [c.id, c.status]))
    expect(status, JSON.stringify(report.checks, null, 1)).toMatchObject({
      'whip.options': 'pass',
      'whip.post': 'pass',
      'whip.ice': 'pass',
      'whip.dtls': 'pass',
      'whip.media': 'pass',
      'whip.delete': 'pass',
    })
    expect(report.server).toMatchObject({kind: 'whip', location: '/whip/resource/r58', locationForm: 'absolute-path'})
    expect(report.server.etag).toMatch(/^"[A-Za-z0-9]{16}"$/)
    expect(report.server.trickle).toEqual(
      trickle === 'trickle' ? {status: 204, outcome: 'accepted', message: null} : null,
    )
    expect(report.candidates.map((c) => c.address)).toContain('127.0.0.2')
    expect(report.media?.video.packets).toBeGreaterThan(0)
  })
})
