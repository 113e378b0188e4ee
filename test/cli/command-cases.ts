/**
 * One entry per command: runs that succeed (their JSON is validated against schemas/<command>.schema.json)
 * and further runs (error paths) that, like the successful ones, must never print a planted secret.
 * A command without an entry fails the suite, so every new command gets covered.
 */
import {copyFileSync, mkdtempSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {FIXTURE_DIR} from '../support/mediamtx.js'
import type {World} from './world.js'

/** A fresh copy of a MediaMTX fixture (commands that write must never touch the fixtures). */
function mediamtxCopy(w: World, version = 'v1.20.1'): string {
  const path = join(mkdtempSync(join(w.dir, 'mtx-')), 'mediamtx.yml')
  copyFileSync(join(FIXTURE_DIR, `${version}.yml`), path)
  return path
}

function brokenMediamtx(w: World): string {
  const path = join(mkdtempSync(join(w.dir, 'mtx-')), 'mediamtx.yml')
  writeFileSync(path, 'webrtc: yes\nwebrtcICEServers2:\n  - url: turn:no-port.example\n')
  return path
}

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
  'turn:revoke': (w) => ({
    ok: [['turn', 'revoke', 'someone', '--key-id', 'key-1', '--api-base', w.turnApi.apiBase]],
    more: [['turn', 'revoke', 'someone', '--key-id', 'nope', '--api-base', w.turnApi.apiBase]],
  }),
  'mediamtx:check': (w) => ({
    ok: [
      ['mediamtx', 'check', '--file', mediamtxCopy(w)],
      ['mediamtx', 'check', '--file', mediamtxCopy(w, 'v1.3.0'), '--mediamtx-version', 'v1.20.1'],
      ['mediamtx', 'check', '--api', w.mediamtx.url, '--mediamtx-api-user', 'r58'],
    ],
    more: [
      ['mediamtx', 'check', '--file', brokenMediamtx(w)],
      ['mediamtx', 'check', '--api', w.mediamtx.url, '--mediamtx-api-user', 'nobody'],
      ['mediamtx', 'check', '--api', 'http://127.0.0.1:1'],
      ['mediamtx', 'check'],
    ],
  }),
  'mediamtx:configure': (w) => ({
    ok: [
      ['mediamtx', 'configure', '--file', mediamtxCopy(w), '--add-host', '100.64.0.5', '--tcp-address', ':8189'],
      [
        'mediamtx',
        'configure',
        '-f',
        mediamtxCopy(w),
        '--turn',
        'turn:127.0.0.1:3478?transport=udp',
        '--turn-username',
        'guest',
        '--client-only',
        '--write',
      ],
      [
        'mediamtx',
        'configure',
        '-f',
        mediamtxCopy(w, 'v1.2.0'),
        '--mediamtx-version',
        'v1.20.1',
        '--migrate-deprecated',
        '--cloudflare-turn',
        '--turn-key-id',
        'key-1',
        '--turn-api-base',
        w.turnApi.apiBase,
        '--write',
      ],
      [
        'mediamtx',
        'configure',
        '--api',
        w.mediamtx.url,
        '--mediamtx-api-user',
        'r58',
        '--add-host',
        '100.64.0.6',
        '--apply',
      ],
    ],
    more: [
      ['mediamtx', 'configure', '--file', brokenMediamtx(w), '--add-host', '100.64.0.5'],
      ['mediamtx', 'configure', '--file', mediamtxCopy(w), '--add-host', '192.168.x.x'],
      [
        'mediamtx',
        'configure',
        '--file',
        mediamtxCopy(w),
        '--cloudflare-turn',
        '--turn-key-id',
        'nope',
        '--turn-api-base',
        w.turnApi.apiBase,
      ],
      ['mediamtx', 'configure', '--api', w.mediamtx.url, '--add-host', '100.64.0.7', '--apply'],
      [
        'mediamtx',
        'configure',
        '--file',
        mediamtxCopy(w, 'v1.6.0'),
        '--turn',
        'turn:t.example:3478',
        '--turn-username',
        'u',
        '--client-only',
      ],
    ],
  }),
  'mediamtx:turn-refresh': (w) => ({
    ok: [
      [
        'mediamtx',
        'turn-refresh',
        '--cloudflare-turn',
        '--turn-key-id',
        'key-1',
        '--turn-api-base',
        w.turnApi.apiBase,
        '-f',
        mediamtxCopy(w),
      ],
      [
        'mediamtx',
        'turn-refresh',
        '--cloudflare-turn',
        '--turn-key-id',
        'key-1',
        '--turn-api-base',
        w.turnApi.apiBase,
        '--api',
        w.mediamtx.url,
        '--mediamtx-api-user',
        'r58',
        '--state-file',
        join(w.dir, 'turn-state.json'),
      ],
    ],
    more: [
      [
        'mediamtx',
        'turn-refresh',
        '--cloudflare-turn',
        '--turn-key-id',
        'nope',
        '--turn-api-base',
        w.turnApi.apiBase,
        '-f',
        mediamtxCopy(w),
      ],
      ['mediamtx', 'turn-refresh', '--cloudflare-turn', '--turn-key-id', 'key-1', '--turn-api-base', w.turnApi.apiBase],
    ],
  }),
}
