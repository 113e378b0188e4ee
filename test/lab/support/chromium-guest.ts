/**
 * Headless Chromium as a third-party WHIP publisher, run INSIDE the lab's guest namespace (`ip netns exec`):
 * one publish, then one JSON line on stdout with what Chromium experienced. The page builds the peer
 * connection (canvas video, the ICE servers a guest would have), this process does the WHIP HTTP (as
 * MediaMTX's own publish page: OPTIONS for the Link headers, POST the complete offer, DELETE at the end).
 *
 * Input: argv[2], JSON {whipUrl, iceServers: RTCIceServer[] | 'link', iceTransportPolicy?, timeoutMs}.
 * Output: {"chromium": {connected, state, pair, bytesSent, error}}; then it keeps publishing until its stdin
 * closes (the test's signal that the box has seen what it needed), and ends the session.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {chromium} from 'playwright-core'
import {parseLinkHeaders} from '../../../src/whip/link-header.js'
import {CHROMIUM_PATH, chromiumArgs} from '../../support/chromium.js'

interface Input {
  whipUrl: string
  iceServers: {urls: string | string[]; username?: string; credential?: string}[] | 'link'
  iceTransportPolicy?: 'all' | 'relay'
  /** Bearer token for the WHIP requests (the relay's guest token). */
  token?: string
  timeoutMs: number
}

export interface PairEndSeen {
  type: string
  address: string
  port: number
  protocol: string
  /** For a local relay candidate: how Chromium reached its TURN server (udp, tcp, tls). */
  relayProtocol?: string
}

export interface ChromiumGuestResult {
  connected: boolean
  state: string
  pair: {local: PairEndSeen; remote: PairEndSeen} | null
  bytesSent: number
  error: string | null
}

/*
 * The page's scripts, as plain JavaScript text: functions written in this file would be compiled by tsx, whose
 * helpers (`__name`) do not exist in the page.
 */
const OFFER = `async ({iceServers, policy}) => {
  const canvas = document.createElement('canvas')
  canvas.width = 320
  canvas.height = 240
  const ctx = canvas.getContext('2d')
  let frame = 0
  setInterval(() => {
    ctx.fillStyle = 'hsl(' + (frame++ % 360) + ' 80% 50%)'
    ctx.fillRect(0, 0, 320, 240)
  }, 33)
  const track = canvas.captureStream(30).getVideoTracks()[0]
  const pc = new RTCPeerConnection({iceServers, iceTransportPolicy: policy})
  window.pc = pc
  pc.addTransceiver(track, {direction: 'sendonly'})
  await pc.setLocalDescription(await pc.createOffer())
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve()
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve()
    })
    setTimeout(resolve, 8000)
  })
  return pc.localDescription.sdp
}`

/** Applies the answer, waits for connected or failed (bounded), then for bytes on the selected pair. */
const CONNECT = `async ({answer, timeoutMs}) => {
  const pc = window.pc
  await pc.setRemoteDescription({type: 'answer', sdp: answer})
  const state = await new Promise((resolve) => {
    const check = () => {
      if (pc.connectionState === 'connected' || pc.connectionState === 'failed') resolve(pc.connectionState)
    }
    pc.addEventListener('connectionstatechange', check)
    check()
    setTimeout(() => resolve(pc.connectionState), timeoutMs)
  })
  const read = async () => {
    const all = [...(await pc.getStats()).values()]
    const transport = all.find((s) => s.type === 'transport')
    const pair = all.find((s) => s.id === transport?.selectedCandidatePairId)
    const end = (id) => {
      const c = all.find((s) => s.id === id)
      if (!c) return null
      const out = {type: String(c.candidateType), address: String(c.address ?? c.ip), port: Number(c.port), protocol: String(c.protocol)}
      if (c.relayProtocol !== undefined) out.relayProtocol = String(c.relayProtocol)
      return out
    }
    const bytesSent = all.filter((s) => s.type === 'outbound-rtp').reduce((sum, s) => sum + Number(s.bytesSent ?? 0), 0)
    const local = pair ? end(pair.localCandidateId) : null
    const remote = pair ? end(pair.remoteCandidateId) : null
    return {pair: local && remote ? {local, remote} : null, bytesSent}
  }
  if (state !== 'connected') return {state, ...(await read())}
  // Media flowed when bytes leave through the selected pair: stats have no event, so read them until then.
  for (let i = 0; i < 100; i++) {
    const seen = await read()
    if (seen.bytesSent > 10000) return {state, ...seen}
    await new Promise((r) => setTimeout(r, 50))
  }
  return {state, ...(await read())}
}`

const input = JSON.parse(process.argv[2] ?? '{}') as Input
const auth: Record<string, string> = input.token ? {authorization: `Bearer ${input.token}`} : {}
const out = (result: ChromiumGuestResult) => process.stdout.write(`${JSON.stringify({chromium: result})}\n`)

async function iceServersOf(): Promise<Exclude<Input['iceServers'], 'link'>> {
  if (input.iceServers !== 'link') return input.iceServers
  const response = await fetch(input.whipUrl, {method: 'OPTIONS', headers: auth, signal: AbortSignal.timeout(5000)})
  const links = response.headers.get('link')
  const parsed = parseLinkHeaders(links ? [links] : [])
  return parsed.servers.map((s) => ({
    urls: s.urls,
    ...(s.username !== undefined && {username: s.username}),
    ...(s.credential !== undefined && {credential: s.credential}),
  }))
}

async function main(): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'guest-profile-'))
  // A real browser does not gather on loopback. The host resolver rule of the loopback tests also maps IP
  // literals, which breaks TURN over TCP; in the lab's namespaces there is no resolver to keep away from.
  const args = chromiumArgs(profile).filter(
    (a) => a !== '--allow-loopback-in-peer-connection' && !a.startsWith('--host-resolver-rules='),
  )
  const browser = await chromium.launch({executablePath: CHROMIUM_PATH, ignoreDefaultArgs: true, args, timeout: 20_000})
  let location: string | null = null
  try {
    const page = await browser.newPage()
    const iceServers = await iceServersOf()
    const offer = (await page.evaluate(
      `(${OFFER})(${JSON.stringify({iceServers, policy: input.iceTransportPolicy ?? 'all'})})`,
    )) as string
    const response = await fetch(input.whipUrl, {
      method: 'POST',
      headers: {'content-type': 'application/sdp', ...auth},
      body: offer,
      signal: AbortSignal.timeout(10_000),
    })
    if (response.status !== 201) throw new Error(`POST ${input.whipUrl}: ${response.status} ${await response.text()}`)
    location = new URL(response.headers.get('location') ?? '', input.whipUrl).href
    const answer = await response.text()
    const result = (await page.evaluate(`(${CONNECT})(${JSON.stringify({answer, timeoutMs: input.timeoutMs})})`)) as {
      state: string
      pair: ChromiumGuestResult['pair']
      bytesSent: number
    }
    out({connected: result.state === 'connected', error: null, ...result})
  } catch (error) {
    out({connected: false, state: 'error', pair: null, bytesSent: 0, error: String(error)})
  } finally {
    await new Promise<void>((resolve) => {
      if (process.stdin.readableEnded) resolve()
      process.stdin
        .on('end', resolve)
        .on('error', () => resolve())
        .resume()
    })
    if (location)
      await fetch(location, {method: 'DELETE', headers: auth, signal: AbortSignal.timeout(3000)}).catch(() => {})
    await browser.close().catch(() => {})
    rmSync(profile, {recursive: true, force: true})
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    out({connected: false, state: 'error', pair: null, bytesSent: 0, error: String(error)})
    process.exit(1)
  },
)
