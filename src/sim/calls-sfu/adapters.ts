/**
 * WebSocket adapters (`adapters/websocket/new|close`): validated exactly as documented (400
 * `decoding_error`, 406 `invalid_params` for counts outside 1–4 or missing values), but not connected:
 * the SFU would dial a public `wss://` endpoint and transcode to PCM or JPEG, which an offline emulator
 * cannot do. Every valid item fails with `websocket_handshake_failed`, so the answer is the documented 503
 * "all failed" shape. Close is idempotent and always succeeds.
 */
import {invalidParams} from './api-error.js'
import type {HandlerResult} from './handlers.js'
import {decodeBody} from './request-validate.js'

function checkCount(count: number): void {
  if (count < 1 || count > 4) throw invalidParams(`Expecting between 1 and 4 tracks in the request, got ${count}`)
}

export function adaptersNew(text: string): HandlerResult {
  const body = decodeBody('NewAdapterRequest', text)
  checkCount(body.tracks.length)
  const tracks = body.tracks.map((track, i) => {
    const where = `tracks[${i}]`
    if (!track['location']) throw invalidParams(`${where}.location is required`)
    if (!track['trackName']) throw invalidParams(`${where}.trackName is required`)
    if (!track['endpoint'] || !/^wss?:\/\//.test(track['endpoint'])) {
      throw invalidParams(`${where}.endpoint must be a ws:// or wss:// URL`)
    }
    if (track['location'] === 'local' && !track['inputCodec']) throw invalidParams(`${where}.inputCodec is required`)
    if (track['location'] === 'remote' && (!track['sessionId'] || !track['outputCodec'])) {
      throw invalidParams(`${where}.sessionId and outputCodec are required`)
    }
    return {
      trackName: track['trackName'],
      errorCode: 'websocket_handshake_failed',
      errorDescription: 'The r58 emulator does not open WebSocket adapters (no connection was attempted).',
    }
  })
  return {status: 503, body: {tracks}}
}

export function adaptersClose(text: string): HandlerResult {
  const body = decodeBody('CloseAdapterRequest', text)
  checkCount(body.tracks.length)
  for (const [i, track] of body.tracks.entries()) {
    if (track.adapterId.length === 0) throw invalidParams(`tracks[${i}].adapterId is empty`)
  }
  return {status: 200, body: {tracks: body.tracks.map((t) => ({adapterId: t.adapterId}))}}
}
