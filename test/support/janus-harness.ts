/**
 * Runs INSIDE a private network namespace (`unshare --net`, started by interop-janus.test.ts): brings up
 * loopback plus a veth pair holding 127.0.0.2 (Janus gathers no candidate on loopback interfaces, and a fresh
 * namespace has nothing else), starts Janus and Meetecho's simple-whip-server on it, probes the WHIP endpoint
 * with r58, prints the report as one JSON line, and stops everything it started. No packet can leave the
 * namespace: it has no link to anything.
 */
import {type ChildProcess, execFileSync, spawn} from 'node:child_process'
import {cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {probeWhip} from '../../src/whip/probe.js'

const [video = 'vp8', trickle = 'trickle', swsRoot = ''] = process.argv.slice(2)
const JANUS_LIB = '/usr/lib/x86_64-linux-gnu/janus'
const WS_PORT = 8188
const HTTP_PORT = 7080
const children: ChildProcess[] = []
const log: string[] = []

function sh(cmd: string, args: string[], optional = false): void {
  try {
    execFileSync(cmd, args, {stdio: 'ignore'})
  } catch (error) {
    if (!optional) throw error
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${what} did not come up within ${ms} ms\n${log.join('')}`)
}

const tcpOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })

function start(name: string, cmd: string, args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv} = {}) {
  const child = spawn(cmd, args, {stdio: ['ignore', 'pipe', 'pipe'], ...options})
  child.stdout?.on('data', (chunk) => log.push(`[${name}] ${chunk}`))
  child.stderr?.on('data', (chunk) => log.push(`[${name}] ${chunk}`))
  children.push(child)
  return child
}

const dir = mkdtempSync(join(tmpdir(), 'r58-janus-'))
try {
  // The namespace's network: loopback, and a veth pair whose end r58a holds 127.0.0.2.
  sh('ip', ['link', 'set', 'lo', 'up'])
  sh('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1'], true)
  sh('sysctl', ['-qw', 'net.ipv6.conf.default.disable_ipv6=1'], true)
  sh('ip', ['link', 'add', 'r58a', 'type', 'veth', 'peer', 'name', 'r58b'])
  sh('ip', ['link', 'set', 'r58a', 'up'])
  sh('ip', ['link', 'set', 'r58b', 'up'])
  // libnice pins its sockets to the interface (IP_UNICAST_IF), so Janus's packets to 127.0.0.1 leave through
  // r58a and come back in on r58b: 127/8 must be allowed on these links (global scope, route_localnet,
  // accept_local, no reverse-path filter). They stay inside this namespace.
  sh('ip', ['addr', 'add', '127.0.0.2/32', 'dev', 'r58a', 'scope', 'global'])
  for (const conf of ['all', 'default', 'lo', 'r58a', 'r58b']) {
    for (const [key, value] of [
      ['route_localnet', 1],
      ['accept_local', 1],
      ['rp_filter', 0],
    ]) {
      sh('sysctl', ['-qw', `net.ipv4.conf.${conf}.${key}=${value}`], true)
    }
  }

  // Janus: the VideoRoom plugin and the WebSockets transport only, gathering on r58a only.
  for (const sub of ['plugins', 'transports', 'events', 'loggers']) mkdirSync(join(dir, sub))
  symlinkSync(`${JANUS_LIB}/plugins/libjanus_videoroom.so`, join(dir, 'plugins', 'libjanus_videoroom.so'))
  symlinkSync(`${JANUS_LIB}/transports/libjanus_websockets.so`, join(dir, 'transports', 'libjanus_websockets.so'))
  writeFileSync(
    join(dir, 'janus.jcfg'),
    `general: {
  configs_folder = "${dir}"
  plugins_folder = "${dir}/plugins"
  transports_folder = "${dir}/transports"
  events_folder = "${dir}/events"
  loggers_folder = "${dir}/loggers"
  debug_level = 4
  interface = "127.0.0.2"
}
media: {
  rtp_port_range = "20000-20100"
}
nat: {
  ice_enforce_list = "r58a"
  ignore_mdns = true
  nice_debug = false
}
`,
  )
  writeFileSync(
    join(dir, 'janus.transport.websockets.jcfg'),
    `general: {\n  ws = true\n  ws_port = ${WS_PORT}\n  ws_ip = "127.0.0.1"\n  wss = false\n}\nadmin: {\n  admin_ws = false\n}\n`,
  )
  writeFileSync(
    join(dir, 'janus.plugin.videoroom.jcfg'),
    `general: {\n}\nroom-1234: {\n  description = "r58"\n  publishers = 6\n  audiocodec = "opus"\n  videocodec = "vp8,h264"\n}\n`,
  )
  start('janus', 'janus', [
    '-C',
    join(dir, 'janus.jcfg'),
    '-F',
    dir,
    '-o',
    ...(process.env['R58_JANUS_DEBUG'] ? ['-l', '-d', '5'] : []),
  ])
  await waitFor('Janus (WebSockets)', () => tcpOpen(WS_PORT))

  // simple-whip-server, from the unpacked Debian package, with its own config.
  const sws = join(dir, 'sws')
  mkdirSync(join(sws, 'src'), {recursive: true})
  // src/config.js in the package is a link to /etc; the server and its Janus client are copied, the config written.
  for (const file of ['server.js', 'whip-janus.js']) {
    cpSync(join(swsRoot, 'usr/share/simple-whip-server/src', file), join(sws, 'src', file))
  }
  writeFileSync(
    join(sws, 'src', 'config.js'),
    `module.exports = {janus: {address: 'ws://127.0.0.1:${WS_PORT}'}, port: ${HTTP_PORT}, rest: '/whip', allowTrickle: true, strictETags: false, iceServers: []};\n`,
  )
  const nodePath = ['usr/share/nodejs', 'usr/lib/nodejs', 'usr/lib/x86_64-linux-gnu/nodejs'].map((p) =>
    join(swsRoot, p),
  )
  start('sws', process.execPath, ['src/server.js'], {cwd: sws, env: {...process.env, NODE_PATH: nodePath.join(':')}})
  const base = `http://127.0.0.1:${HTTP_PORT}/whip`
  await waitFor('simple-whip-server', async () => (await fetch(`${base}/healthcheck`)).ok)
  const created = await fetch(`${base}/create`, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({id: 'r58', room: 1234}),
  })
  if (!created.ok) throw new Error(`create endpoint: HTTP ${created.status} ${await created.text()}`)

  const report = await probeWhip({
    url: `${base}/endpoint/r58`,
    via: ['this-host'],
    trickle: trickle === 'trickle',
    video: video === 'h264' ? 'h264' : 'vp8',
    durationMs: 1500,
    timeoutMs: 8000,
  })
  process.stdout.write(
    `${JSON.stringify({report, log: log.join('').slice(-(Number(process.env['R58_JANUS_LOG']) || 4000))})}\n`,
  )
} catch (error) {
  process.stdout.write(
    `${JSON.stringify({error: String(error instanceof Error ? error.stack : error), log: log.join('').slice(-8000)})}\n`,
  )
} finally {
  for (const child of children.reverse()) {
    if (child.pid !== undefined && child.exitCode === null) child.kill('SIGTERM')
  }
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve()
          const timer = setTimeout(() => {
            child.kill('SIGKILL')
            resolve()
          }, 3000)
          child.once('exit', () => {
            clearTimeout(timer)
            resolve()
          })
        }),
    ),
  )
  rmSync(dir, {recursive: true, force: true})
}
