/**
 * Ctrl-C during `r58 diagnose`, as a real process: the signal arrives while MediaMTX is being asked (the test's
 * server sends it when the first WHIP request comes in, and never answers). The report that comes out says it
 * was cancelled, invents no failure, and the process exits 130.
 */
import {spawn} from 'node:child_process'
import {join} from 'node:path'
import {expect, it} from 'vitest'
import {isolatedConfigHome, ROOT} from '../support/cli.js'
import {closedPort, startHttpServer} from '../support/http-server.js'

it('Ctrl-C: checks are "cancelled", the report says so, exit 130', async () => {
  let interrupt: (() => void) | undefined
  const mediamtx = await startHttpServer(() => interrupt?.())
  const down = await closedPort()
  try {
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env))
      if (value !== undefined && !key.startsWith('R58_')) env[key] = value
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'bin/dev.js'),
        'diagnose',
        '--mediamtx-url',
        mediamtx.url,
        '--relay-url',
        `http://127.0.0.1:${down}`,
        '--json',
      ],
      {cwd: ROOT, env: {...env, XDG_CONFIG_HOME: isolatedConfigHome(), CI: 'true'}, stdio: ['ignore', 'pipe', 'pipe']},
    )
    interrupt = () => child.kill('SIGINT')
    let stdout = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).toBe(130)
    const envelope = JSON.parse(stdout)
    expect(envelope).toMatchObject({exitCode: 130, ok: false, result: {cancelled: true, exitCode: 130}})
    const checks = envelope.result.checks as {id: string; status: string}[]
    expect(checks.find((c) => c.id === 'lan.whip')?.status).toBe('cancelled')
    expect(checks.filter((c) => c.status === 'fail')).toEqual([])
    expect(envelope.result.recommendation.text).toMatch(/^Cancelled \(Ctrl-C\)/)
  } finally {
    await mediamtx.close()
  }
})
