/**
 * One entry per command: runs that succeed (their JSON is validated against schemas/<command>.schema.json)
 * and further runs (error paths) that, like the successful ones, must never print a planted secret.
 * A command without an entry fails the suite, so every new command gets covered.
 */
import {join} from 'node:path'
import type {World} from './world.js'

export interface CommandCase {
  ok: string[][]
  more?: string[][]
}

export const COMMAND_CASES: Record<string, (world: World) => CommandCase> = {
  'config:show': (w) => ({
    ok: [
      ['config', 'show'],
      ['config', 'show', '--calls-app-secret-file', w.secretFile('calls.appSecret')],
    ],
    more: [['config', 'show', '--relay-listen', 'bad']],
  }),
  'config:init': (w) => ({
    ok: [
      ['config', 'init', '--print', '--calls-app-secret-file', w.secretFile('calls.appSecret')],
      ['config', 'init', '--force', '--config', join(w.dir, 'init.yaml'), '--turn-key-id', 'key-1'],
    ],
    more: [['config', 'init', '--config', join(w.dir, 'init.yaml')]],
  }),
  'turn:credentials': (w) => ({
    ok: [['turn', 'credentials', '--key-id', 'key-1', '--api-base', w.turnApi.apiBase]],
    more: [
      ['turn', 'credentials', '--key-id', 'key-2', '--api-base', w.turnApi.apiBase],
      ['turn', 'credentials', '--key-id', 'key-1', '--api-base', 'http://127.0.0.1:1/v1'],
      ['turn', 'credentials', '--key-id', 'key-1', '--token', 'x', '--api-base', w.turnApi.apiBase],
    ],
  }),
  'probe:whip': (w) => ({
    ok: [
      [
        'probe',
        'whip',
        w.mediamtx.endpoint('cam'),
        '--via',
        'this-host',
        '--duration',
        '200ms',
        '--mediamtx-api',
        w.mediamtx.apiUrl as string,
      ],
      [
        'probe',
        'whip',
        w.mediamtx.whipUrl,
        '--path',
        'cam',
        '--via',
        'this-host',
        '--duration',
        '200ms',
        '--video',
        'h264',
      ],
    ],
    more: [
      ['probe', 'whip', w.mediamtx.endpoint('locked'), '--via', 'this-host'],
      ['probe', 'whip', 'http://127.0.0.1:1/cam/whip', '--timeout', '1s'],
      ['probe', 'whip', w.mediamtx.endpoint('cam'), '--ice-server', 'turn:nope'],
    ],
  }),
  'mediamtx:standin': (w) => ({
    ok: [],
    more: [['mediamtx', 'standin', '--mediamtx-config', join(w.dir, 'absent.yml'), '--whip-port', '0']],
  }),
  'turn:revoke': (w) => ({
    ok: [['turn', 'revoke', 'someone', '--key-id', 'key-1', '--api-base', w.turnApi.apiBase]],
    more: [['turn', 'revoke', 'someone', '--key-id', 'nope', '--api-base', w.turnApi.apiBase]],
  }),
}
