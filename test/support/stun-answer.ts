/**
 * A STUN server on 127.0.0.1 that answers every Binding request with a mapped address of the test's choice:
 * what a STUN server on the internet tells a box behind NAT (its public address), without leaving loopback.
 */
import {createSocket} from 'node:dgram'
import {decodeStun, Message, StunClass, StunMethod} from '../../src/stun/message.js'

export interface StunAnswer {
  url: string
  close(): Promise<void>
}

export async function startStunAnswer(mapped: {address: string; port: number}): Promise<StunAnswer> {
  const socket = createSocket('udp4')
  socket.on('message', (bytes, from) => {
    const request = decodeStun(bytes)
    if (!request || request.messageMethod !== StunMethod.BINDING || request.messageClass !== StunClass.REQUEST) return
    const response = new Message(StunMethod.BINDING, StunClass.RESPONSE, request.transactionId)
      .setAttribute('XOR-MAPPED-ADDRESS', [mapped.address, mapped.port])
      .addFingerprint()
    socket.send(response.bytes, from.port, from.address)
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  return {
    url: `stun:127.0.0.1:${socket.address().port}`,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}
