/**
 * DataChannels through the emulator (docs/calls-api.md "Connection patterns the emulator serves"), with real SCTP (werift):
 * - `datachannels/establish` negotiates the SCTP transport with the reserved `server-events` channel (id 0),
 *   from the endpoint's offer or with an SFU offer answered by /renegotiate; an `m=application` section in
 *   any offer the session answered (sessions/new, tracks/new) sets up the same transport without it;
 * - `datachannels/new` allocates negotiated channel ids: a `local` channel publishes, a `remote` one
 *   subscribes; messages fan out from the publisher to every subscriber (after the subscriber's first
 *   message with `waitForAck`), and back to the publisher from the one subscriber with `canReply`;
 * - `datachannels/update` grants or revokes `canReply`; `datachannels/close` closes by id.
 */
import type {RTCDataChannel} from 'werift'
import type {DataChannelObject, SessionDataChannelState} from '../../calls/calls-types.js'
import {ApiError, invalidParams} from './api-error.js'
import {ensureConnected, type HandlerContext, type HandlerResult, mutate} from './handlers.js'
import {decodeBody} from './request-validate.js'
import type {RouteName} from './routes.js'
import type {EmulatedSession} from './sfu-session.js'

const SERVER_EVENTS = 'server-events'
const ACK_WINDOW_MS = 30_000

interface ChannelRecord {
  session: EmulatedSession
  location: 'local' | 'remote'
  name: string
  id: number
  channel: RTCDataChannel
  publisher?: ChannelRecord | undefined
  subscribers: Set<ChannelRecord>
  canReply: boolean
  waitForAck: boolean
  acked: boolean
  ackTimer?: NodeJS.Timeout
}

function statusOf(channel: RTCDataChannel): 'active' | 'inactive' | 'initializing' {
  if (channel.readyState === 'open') return 'active'
  if (channel.readyState === 'connecting') return 'initializing'
  return 'inactive'
}

function itemError(item: DataChannelObject, errorCode: string, errorDescription: string) {
  return {...item, errorCode, errorDescription}
}

export class DataChannels {
  readonly #sessions = new Map<string, Map<number, ChannelRecord>>()

  #of(session: EmulatedSession): Map<number, ChannelRecord> {
    let channels = this.#sessions.get(session.id)
    if (!channels) {
      channels = new Map()
      this.#sessions.set(session.id, channels)
    }
    return channels
  }

  /** Drops the channels of sessions that are gone (their peer connections closed them already). */
  #prune(): void {
    for (const [id, channels] of this.#sessions) {
      const session = channels.values().next().value?.session
      if (!session || session.closed) {
        for (const record of channels.values()) this.#drop(record)
        this.#sessions.delete(id)
      }
    }
  }

  #drop(record: ChannelRecord): void {
    clearTimeout(record.ackTimer)
    record.publisher?.subscribers.delete(record)
    for (const subscriber of record.subscribers) subscriber.publisher = undefined
    record.subscribers.clear()
  }

  /** GET session's `dataChannels` (the reserved server-events channel is not listed). */
  stateOf(session: EmulatedSession): SessionDataChannelState[] {
    return [...(this.#sessions.get(session.id)?.values() ?? [])]
      .filter((r) => r.name !== SERVER_EVENTS || r.id !== 0)
      .map((record) => ({
        location: record.location,
        ...(record.location === 'remote' && record.publisher && {sessionId: record.publisher.session.id}),
        dataChannelName: record.name,
        id: record.id,
        status: statusOf(record.channel),
      }))
  }

  /** Closes every record's timers (emulator shutdown). */
  close(): void {
    for (const channels of this.#sessions.values()) for (const record of channels.values()) this.#drop(record)
    this.#sessions.clear()
  }

  async handle(name: RouteName, ctx: HandlerContext, session: EmulatedSession, text: string): Promise<HandlerResult> {
    this.#prune()
    switch (name) {
      case 'datachannels.establish':
        return this.#establish(ctx, session, text)
      case 'datachannels.new':
        return this.#new(ctx, session, text)
      case 'datachannels.update':
        return this.#update(session, text)
      case 'datachannels.close':
        return this.#close(session, text)
      default:
        throw new ApiError(404, 'not_found', 'No such endpoint')
    }
  }

  #register(session: EmulatedSession, record: Omit<ChannelRecord, 'subscribers' | 'acked'>): ChannelRecord {
    const full: ChannelRecord = {...record, subscribers: new Set(), acked: !record.waitForAck}
    this.#of(session).set(full.id, full)
    full.channel.onMessage.subscribe((data) => {
      try {
        this.#onMessage(full, data)
      } catch {
        // a failing send must not break the SCTP stack
      }
    })
    return full
  }

  #onMessage(record: ChannelRecord, data: string | Buffer): void {
    if (record.location === 'local') {
      for (const subscriber of record.subscribers) {
        if (subscriber.acked && subscriber.channel.readyState === 'open') subscriber.channel.send(data)
      }
      return
    }
    if (!record.acked) {
      record.acked = true
      clearTimeout(record.ackTimer)
      return
    }
    const publisher = record.publisher
    if (record.canReply && publisher && publisher.channel.readyState === 'open') publisher.channel.send(data)
  }

  async #establish(ctx: HandlerContext, session: EmulatedSession, text: string): Promise<HandlerResult> {
    const body = decodeBody('EstablishDataChannelsRequest', text)
    const dc = body.dataChannel
    if (dc.location !== 'remote' || dc.dataChannelName !== SERVER_EVENTS) {
      throw invalidParams('Only the remote "server-events" channel can establish the DataChannel transport')
    }
    return mutate(session, async () => {
      if (session.pendingOffer)
        throw new ApiError(406, undefined, `Session ${session.id} has an offer waiting for its answer`)
      const existing = this.#of(session).get(0)
      if (existing) {
        return {
          status: 200,
          body: {requiresImmediateRenegotiation: false, dataChannel: {dataChannelName: SERVER_EVENTS, id: 0}},
        }
      }
      await ensureConnected(ctx, session)
      if (body.sessionDescription !== undefined) {
        const summary = await session.applyOffer(body.sessionDescription)
        if (!summary.sections.some((s) => s.kind === 'application')) {
          throw new ApiError(400, 'invalid_session_description', 'The offer has no m=application section')
        }
      }
      const pc = session.ensurePeer()
      const channel = pc.createDataChannel(SERVER_EVENTS, {negotiated: true, id: 0})
      this.#register(session, {
        session,
        location: 'remote',
        name: SERVER_EVENTS,
        id: 0,
        channel,
        canReply: false,
        waitForAck: false,
      })
      const description =
        body.sessionDescription !== undefined ? await session.createAnswer() : await session.createOffer()
      return {
        status: 200,
        body: {
          requiresImmediateRenegotiation: description.type === 'offer',
          dataChannel: {dataChannelName: SERVER_EVENTS, id: 0},
          sessionDescription: description,
        },
      }
    })
  }

  /** The lowest free stream id: neither allocated here nor taken by a channel the endpoint opened itself. */
  #nextId(session: EmulatedSession): number {
    const used = this.#of(session)
    const open = (session.pc?.sctpTransport as {dataChannels?: Record<number, unknown>} | undefined)?.dataChannels ?? {}
    let id = 1
    while (used.has(id) || open[id] !== undefined) id += 1
    return id
  }

  async #new(ctx: HandlerContext, session: EmulatedSession, text: string): Promise<HandlerResult> {
    const body = decodeBody('DataChannelsRequest', text)
    if (body.dataChannels.length === 0) throw invalidParams('dataChannels is empty')
    if (body.dataChannels.length > ctx.state.limits.maxTracksPerRequest) {
      throw invalidParams(`Expecting at most ${ctx.state.limits.maxTracksPerRequest} DataChannels in the request`)
    }
    return mutate(session, async () => {
      const pc = session.pc
      // Any negotiation may have set up SCTP: datachannels/establish, or an m=application section in the
      // endpoint's first offer (sessions/new or tracks/new), as the connection patterns allow.
      if (!pc?.sctpTransport || !session.negotiated) {
        throw invalidParams(
          'No DataChannel transport on this session: offer an m=application section, or call datachannels/establish first',
        )
      }
      await ensureConnected(ctx, session)
      const results = body.dataChannels.map((item, i) => {
        const where = `dataChannels[${i}]`
        if (!item.dataChannelName) return itemError(item, 'invalid_params', `${where}.dataChannelName is required`)
        if (item.maxRetransmits !== undefined && item.maxPacketLifeTime !== undefined) {
          return itemError(item, 'invalid_params', 'maxRetransmits and maxPacketLifeTime are mutually exclusive')
        }
        const options = {
          negotiated: true,
          ordered: item.ordered ?? true,
          ...(item.maxRetransmits !== undefined && {maxRetransmits: item.maxRetransmits}),
          ...(item.maxPacketLifeTime !== undefined && {maxPacketLifeTime: item.maxPacketLifeTime}),
        }
        if (item.location === 'local') {
          const taken = [...this.#of(session).values()].some(
            (r) => r.location === 'local' && r.name === item.dataChannelName,
          )
          if (taken) return itemError(item, 'repeated_local_track_error', 'DataChannel allocation already exists')
          const id = this.#nextId(session)
          const channel = pc.createDataChannel(item.dataChannelName, {...options, id})
          this.#register(session, {
            session,
            location: 'local',
            name: item.dataChannelName,
            id,
            channel,
            canReply: false,
            waitForAck: false,
          })
          return {location: 'local' as const, dataChannelName: item.dataChannelName, id}
        }
        if (item.location !== 'remote' || !item.sessionId) {
          return itemError(item, 'invalid_params', `${where}: location "local", or "remote" with a sessionId`)
        }
        const publisher = [...(this.#sessions.get(item.sessionId)?.values() ?? [])].find(
          (r) =>
            r.location === 'local' &&
            r.name === item.dataChannelName &&
            r.session.appId === session.appId &&
            !r.session.closed,
        )
        if (!publisher) {
          return itemError(item, 'not_found_track_error', 'DataChannel not found on the remote session')
        }
        const id = this.#nextId(session)
        const channel = pc.createDataChannel(item.dataChannelName, {...options, id})
        const record = this.#register(session, {
          session,
          location: 'remote',
          name: item.dataChannelName,
          id,
          channel,
          publisher,
          canReply: item.canReply === true,
          waitForAck: item.waitForAck === true,
        })
        publisher.subscribers.add(record)
        if (record.canReply) this.#grantReply(record)
        if (record.waitForAck) {
          record.ackTimer = setTimeout(() => {
            if (!record.acked) {
              this.#drop(record)
              record.channel.close()
            }
          }, ACK_WINDOW_MS)
          record.ackTimer.unref()
        }
        return {
          location: 'remote' as const,
          sessionId: item.sessionId,
          dataChannelName: item.dataChannelName,
          id,
          ...(item.canReply !== undefined && {canReply: item.canReply}),
        }
      })
      return {status: 200, body: {dataChannels: results}}
    })
  }

  /** At most one subscriber of a publication may reply: granting it to one revokes the others. */
  #grantReply(record: ChannelRecord): void {
    for (const other of record.publisher?.subscribers ?? []) if (other !== record) other.canReply = false
    record.canReply = true
  }

  async #update(session: EmulatedSession, text: string): Promise<HandlerResult> {
    const body = decodeBody('DataChannelsRequest', text)
    const results = body.dataChannels.map((item) => {
      const record = [...this.#of(session).values()].find(
        (r) => r.location === 'remote' && r.name === item.dataChannelName && r.publisher?.session.id === item.sessionId,
      )
      if (item.location !== 'remote' || !record) {
        return itemError(item, 'invalid_params', 'No pulled remote DataChannel with that sessionId and name')
      }
      if (item.canReply === true) this.#grantReply(record)
      else if (item.canReply === false) record.canReply = false
      return {
        sessionId: item.sessionId,
        location: 'remote' as const,
        dataChannelName: record.name,
        canReply: record.canReply,
        id: record.id,
      }
    })
    return {status: 200, body: {dataChannels: results}}
  }

  async #close(session: EmulatedSession, text: string): Promise<HandlerResult> {
    const body = decodeBody('DataChannelsRequest', text)
    const channels = this.#of(session)
    const results = body.dataChannels.map((item) => {
      const record = item.id === undefined ? undefined : channels.get(item.id)
      if (!record || item.id === 0) {
        return itemError(item, 'close_track_error', "DataChannel doesn't exist or was already closed")
      }
      channels.delete(record.id)
      this.#drop(record)
      record.channel.close()
      return {
        location: record.location,
        ...(record.publisher && {sessionId: record.publisher.session.id}),
        dataChannelName: record.name,
        id: record.id,
      }
    })
    return {status: 200, body: {dataChannels: results}}
  }
}
