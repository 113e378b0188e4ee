/** The TURN messages r58 sends (RFC 8656), built on werift's STUN message class. */
import type {Endpoint} from '../net/endpoint.js'
import {Message, REQUESTED_TRANSPORT_UDP, StunClass, StunMethod} from '../stun/message.js'

/** Allocate: a UDP relay (WebRTC relays only UDP), default lifetime unless given. */
export function allocateRequest(lifetimeSeconds?: number): Message {
  const message = new Message(StunMethod.ALLOCATE, StunClass.REQUEST)
  message.setAttribute('REQUESTED-TRANSPORT', REQUESTED_TRANSPORT_UDP)
  if (lifetimeSeconds !== undefined) message.setAttribute('LIFETIME', lifetimeSeconds)
  return message
}

/** Refresh; lifetime 0 deletes the allocation. */
export function refreshRequest(lifetimeSeconds: number): Message {
  return new Message(StunMethod.REFRESH, StunClass.REQUEST).setAttribute('LIFETIME', lifetimeSeconds)
}

/** CreatePermission for one peer (permissions are per IP address; the port is ignored by the server). */
export function createPermissionRequest(peer: Endpoint): Message {
  return new Message(StunMethod.CREATE_PERMISSION, StunClass.REQUEST).setAttribute('XOR-PEER-ADDRESS', [
    peer.address,
    peer.port,
  ])
}

/** A Send indication: relay `data` to `peer` from the allocation. Indications are not authenticated. */
export function sendIndication(peer: Endpoint, data: Buffer): Buffer {
  return new Message(StunMethod.SEND, StunClass.INDICATION)
    .setAttribute('XOR-PEER-ADDRESS', [peer.address, peer.port])
    .setAttribute('DATA', data)
    .addFingerprint().bytes
}

/** The peer and payload of a Data indication; undefined for any other message. */
export function dataIndicationOf(message: Message | undefined): {peer: Endpoint; data: Buffer} | undefined {
  if (!message || message.messageMethod !== StunMethod.DATA || message.messageClass !== StunClass.INDICATION) {
    return undefined
  }
  const peer = message.getAttributeValue('XOR-PEER-ADDRESS') as [string, number] | undefined
  const data = message.getAttributeValue('DATA') as Buffer | undefined
  if (!peer || !data) return undefined
  return {peer: {address: peer[0], port: peer[1]}, data}
}
