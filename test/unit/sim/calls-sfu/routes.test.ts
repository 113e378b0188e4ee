import {describe, expect, it} from 'vitest'
import {matchRoute} from '../../../../src/sim/calls-sfu/routes.js'

describe('emulator routes', () => {
  it.each([
    {method: 'POST', path: '/v1/apps/app1/sessions/new', want: {name: 'sessions.new', appId: 'app1'}},
    {method: 'GET', path: '/v1/apps/app1/sessions/s1', want: {name: 'session.get', appId: 'app1', sessionId: 's1'}},
    {method: 'GET', path: '/v1/apps/app1/sessions/s1/', want: {name: 'session.get', sessionId: 's1'}},
    {method: 'POST', path: '/v1/apps/app1/sessions/s1/tracks/new', want: {name: 'tracks.new'}},
    {method: 'PUT', path: '/v1/apps/app1/sessions/s1/tracks/close', want: {name: 'tracks.close'}},
    {method: 'PUT', path: '/v1/apps/app1/sessions/s1/tracks/update', want: {name: 'tracks.update'}},
    {method: 'PUT', path: '/v1/apps/app1/sessions/s1/renegotiate', want: {name: 'renegotiate'}},
    {method: 'POST', path: '/v1/apps/app1/sessions/s1/datachannels/establish', want: {name: 'datachannels.establish'}},
    {method: 'PUT', path: '/v1/apps/app1/sessions/s1/datachannels/close', want: {name: 'datachannels.close'}},
    {method: 'POST', path: '/v1/apps/app1/adapters/websocket/new', want: {name: 'adapters.new'}},
    {method: 'GET', path: '/v1/apps/app1/sessions/new', want: {status: 405, allow: 'POST'}},
    {method: 'POST', path: '/v1/apps/app1/sessions/s1/renegotiate', want: {status: 405, allow: 'PUT'}},
    {method: 'POST', path: '/v1/apps/app1/sessions/s1/tracks/nope', want: {status: 404}},
    {method: 'GET', path: '/v2/apps/app1/sessions/s1', want: {status: 404}},
    {method: 'GET', path: '/v1/apps/%ZZ/sessions/s1', want: {status: 404}},
    {method: 'GET', path: '/v1/apps/a%2Fb/sessions/s1', want: {status: 404}},
    {method: 'GET', path: '/v1/apps/app1/sessions', want: {status: 404}},
  ])('$method $path', ({method, path, want}) => {
    expect(matchRoute(method, path)).toMatchObject(want)
  })
})
