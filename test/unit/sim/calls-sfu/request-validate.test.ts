import {describe, expect, it} from 'vitest'
import {ApiError} from '../../../../src/sim/calls-sfu/api-error.js'
import {decodeBody} from '../../../../src/sim/calls-sfu/request-validate.js'

const sd = {type: 'offer', sdp: 'v=0'}

function decodeError(name: Parameters<typeof decodeBody>[0], body: unknown): ApiError {
  try {
    decodeBody(name, typeof body === 'string' ? body : JSON.stringify(body))
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('expected a decoding error')
}

describe('request bodies: exact field names and types (decoding_error)', () => {
  it.each([
    {name: 'NewSessionRequest', body: ''},
    {name: 'NewSessionRequest', body: {}},
    {name: 'NewSessionRequest', body: {sessionDescription: sd}},
    {name: 'TracksRequest', body: {sessionDescription: sd, tracks: [{location: 'local', mid: '0', trackName: 'cam'}]}},
    {name: 'TracksRequest', body: {autoDiscover: true, sessionDescription: sd}},
    {
      name: 'TracksRequest',
      body: {
        tracks: [
          {
            location: 'remote',
            sessionId: 's',
            trackName: 't',
            simulcast: {preferredRid: 'h', priorityOrdering: 'asciibetical', ridNotAvailable: 'none'},
          },
        ],
      },
    },
    {name: 'RenegotiateRequest', body: {sessionDescription: {type: 'answer', sdp: 'v=0'}}},
    {name: 'CloseTracksRequest', body: {tracks: [{mid: '0'}], force: true}},
    {name: 'UpdateTracksRequest', body: {tracks: [{location: 'remote', mid: '7', sessionId: 's', trackName: 't'}]}},
    {name: 'DataChannelsRequest', body: {dataChannels: [{location: 'local', dataChannelName: 'x', maxRetransmits: 0}]}},
  ] as const)('accepts $name $body', ({name, body}) => {
    expect(() => decodeBody(name, typeof body === 'string' ? body : JSON.stringify(body))).not.toThrow()
  })

  it.each([
    {
      what: 'a misspelled trackName',
      name: 'TracksRequest',
      body: {tracks: [{location: 'local', mid: '0', trackname: 'cam'}]},
      want: /tracks\[0\]\."trackname" is not a field \(did you mean "trackName"\?\)/,
    },
    {what: 'an unknown top-level field', name: 'TracksRequest', body: {track: []}, want: /"track" is not a field/},
    {
      what: 'a wrong type',
      name: 'TracksRequest',
      body: {autoDiscover: 'yes'},
      want: /autoDiscover: expected a boolean, got string/,
    },
    {what: 'null', name: 'TracksRequest', body: {tracks: null}, want: /tracks: expected an array, got null/},
    {
      what: 'an enum outside its values',
      name: 'TracksRequest',
      body: {tracks: [{location: 'elsewhere'}]},
      want: /not one of local, remote/,
    },
    {what: 'an array body', name: 'TracksRequest', body: [], want: /body: expected an object, got array/},
    {what: 'not JSON', name: 'TracksRequest', body: '{"tracks": [', want: /not valid JSON/},
    {
      what: 'an SDP type',
      name: 'RenegotiateRequest',
      body: {sessionDescription: {type: 'pranswer', sdp: ''}},
      want: /not one of/,
    },
    {
      what: 'a missing sdp',
      name: 'RenegotiateRequest',
      body: {sessionDescription: {type: 'answer'}},
      want: /sdp is required/,
    },
    {
      what: 'an empty body where one is required',
      name: 'RenegotiateRequest',
      body: '',
      want: /sessionDescription is required/,
    },
    {what: 'close without force', name: 'CloseTracksRequest', body: {tracks: [{mid: '0'}]}, want: /force is required/},
    {
      what: 'close with an empty mid',
      name: 'CloseTracksRequest',
      body: {tracks: [{mid: ''}], force: true},
      want: /must not be empty/,
    },
    {
      what: 'a negative retransmit limit',
      name: 'DataChannelsRequest',
      body: {dataChannels: [{maxRetransmits: -1}]},
      want: /at least 0/,
    },
    {what: 'a fractional id', name: 'DataChannelsRequest', body: {dataChannels: [{id: 1.5}]}, want: /integer/},
    {what: '__proto__', name: 'TracksRequest', body: '{"__proto__": {"x": 1}}', want: /"__proto__" is not a field/},
  ] as const)('rejects $what', ({name, body, want}) => {
    const error = decodeError(name, body)
    expect(error).toMatchObject({status: 400, errorCode: 'decoding_error'})
    expect(error.message).toMatch(/^JSON body validation error: /)
    expect(error.message).toMatch(want)
  })

  it('survives deep nesting without recursing into it', () => {
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`
    expect(decodeError('TracksRequest', deep).errorCode).toBe('decoding_error')
    expect(decodeError('TracksRequest', {tracks: [{simulcast: {preferredRid: {a: {b: {}}}}}]}).errorCode).toBe(
      'decoding_error',
    )
  })
})
