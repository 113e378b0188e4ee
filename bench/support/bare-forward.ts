/**
 * The floor for forwarding media in Node, for bench/relay-modes.bench.ts: a process that receives each guest
 * with werift (POST /forward?target=<WHIP URL>, the guest's offer → answer) and republishes its tracks with
 * werift into the target, through the relay's own TrackForwarder — no Calls, no sessions, no retries. It prints
 * `{"url": …}` once listening and runs until SIGTERM. Loopback only.
 */
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import type {RTCPeerConnection} from 'werift'
import {createPeer, localDescription, waitForConnected} from '../../src/media/peer.js'
import {TrackForwarder} from '../../src/relay/track-forward.js'
import {whipPost} from '../../src/whip/whip-client.js'

const peers: RTCPeerConnection[] = []
const peer = () => {
  const pc = createPeer({hostAddresses: ['127.0.0.1']})
  peers.push(pc)
  return pc
}

async function forward(offer: string, target: string): Promise<string> {
  const inbound = peer()
  const forwarders: TrackForwarder[] = []
  inbound.onTransceiverAdded.subscribe((transceiver) =>
    transceiver.onTrack.subscribe((track) => {
      const kind = track.kind === 'video' ? 'video' : 'audio'
      forwarders.push(new TrackForwarder({kind, source: track, receiver: transceiver.receiver}))
    }),
  )
  await inbound.setRemoteDescription({type: 'offer', sdp: offer})
  await inbound.setLocalDescription(await inbound.createAnswer())
  void (async () => {
    await waitForConnected(inbound, 10_000)
    const expected = inbound.getTransceivers().length
    while (forwarders.filter((f) => f.flowing).length < expected) await new Promise((r) => setTimeout(r, 20))
    const outbound = peer()
    const senders = forwarders.map((f) => ({
      f,
      sender: outbound.addTransceiver(f.output, {direction: 'sendonly'}).sender,
    }))
    await outbound.setLocalDescription(await outbound.createOffer())
    const whip = await whipPost(target, localDescription(outbound).sdp, {timeoutMs: 10_000})
    await outbound.setRemoteDescription({type: 'answer', sdp: whip.answer})
    for (const {f, sender} of senders) f.attachSender(sender)
  })().catch((error: unknown) => process.stderr.write(`bare forward: ${String(error)}\n`))
  return localDescription(inbound).sdp
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    const target = new URL(req.url ?? '/', 'http://bare').searchParams.get('target') ?? ''
    forward(Buffer.concat(chunks).toString('utf8'), target).then(
      (answer) => res.writeHead(201, {'content-type': 'application/sdp'}).end(answer),
      (error: unknown) => res.writeHead(500).end(String(error)),
    )
  })
})
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`})}\n`)
})
process.once('SIGTERM', async () => {
  server.close()
  await Promise.all(peers.map((pc) => pc.close().catch(() => {})))
  process.exit(0)
})
