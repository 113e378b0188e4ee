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
    ok: [['turn', 'credentials', '--turn-key-id', 'key-1', '--turn-api-base', w.turnApi.apiBase]],
    more: [
      ['turn', 'credentials', '--turn-key-id', 'key-2', '--turn-api-base', w.turnApi.apiBase],
      ['turn', 'credentials', '--turn-key-id', 'key-1', '--turn-api-base', 'http://127.0.0.1:1/v1'],
      ['turn', 'credentials', '--turn-key-id', 'key-1', '--turn-key-token', 'x', '--turn-api-base', w.turnApi.apiBase],
    ],
  }),
  'probe:stun': (w) => ({
    ok: [['probe', 'stun', w.coturn.stunUrl, '--count', '2']],
    more: [['probe', 'stun', 'stun:127.0.0.1']],
  }),
  'probe:turn': (w) => ({
    ok: [
      [
        'probe',
        'turn',
        ...Object.values(w.coturn.turnUrls),
        '--turn-username',
        'r58',
        '--ca',
        w.coturn.certificate.certPath,
      ],
    ],
    more: [
      // The credential on argv is redacted like any other secret.
      [
        'probe',
        'turn',
        w.coturn.turnUrls.udp,
        '--turn-username',
        'r58',
        '--turn-credential',
        w.secrets.get('turn.credential') as string,
      ],
      ['probe', 'turn', w.coturn.turnUrls.udp, '--turn-username', 'nobody'],
      ['probe', 'turn', 'turn:127.0.0.1', '--turn-username', 'r58'],
      [
        'probe',
        'turn',
        '--cloudflare-turn',
        '--turn-key-id',
        'key-1',
        '--turn-api-base',
        w.turnApi.apiBase,
        '--packets',
        '0',
      ],
    ],
  }),
  'probe:ice': (w) => ({
    ok: [['probe', 'ice', '--ice-server', w.coturn.turnUrls.udp, '--turn-username', 'r58', '--relay-only']],
    more: [['probe', 'ice', '--ice-server', 'turn:127.0.0.1', '--turn-username', 'r58']],
  }),
  'calls:check': (w) => ({
    ok: [['calls', 'check', '--calls-app-id', 'app-1', '--calls-api-base', w.calls.apiBase]],
    more: [
      ['calls', 'check', '--calls-app-id', 'app-2', '--calls-api-base', w.calls.apiBase],
      ['calls', 'check', '--calls-app-id', 'app-1', '--calls-api-base', 'http://127.0.0.1:1/v1'],
      ['calls', 'check', '--calls-app-id', 'app-1', '--calls-app-secret', 'x', '--calls-api-base', w.calls.apiBase],
    ],
  }),
  // A long-running command: its `ok` runs use --dry-run (resolve, bind, release, exit 0).
  'calls:emulate': (w) => ({
    ok: [
      ['calls', 'emulate', '--listen', '127.0.0.1:0', '--dry-run'],
      [
        ...[
          'calls',
          'emulate',
          '--listen',
          '127.0.0.1:0',
          '--dry-run',
          '--calls-app-id',
          'app-1',
          '--turn-key-id',
          'key-1',
        ],
        ...['--turn-url', 'turn:127.0.0.1:3478?transport=udp', '--turn-secret-file', w.secretFile('turn.credential')],
      ],
    ],
    more: [
      ['calls', 'emulate', '--listen', 'nope'],
      ['calls', 'emulate', '--dry-run', '--listen', '127.0.0.1:0', '--turn-secret-file', join(w.dir, 'absent')],
      ['calls', 'emulate', '--dry-run', '--listen', '127.0.0.1:0', '--turn-url', 'stun:127.0.0.1:3478'],
      ['calls', 'emulate', '--dry-run', '--listen', '127.0.0.1:0', '--media-address', 'not-an-ip'],
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
        '--mediamtx-api-url',
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
    more: [['mediamtx', 'standin', '--file', join(w.dir, 'absent.yml'), '--whip-port', '0']],
  }),
  'turn:revoke': (w) => ({
    ok: [['turn', 'revoke', 'someone', '--turn-key-id', 'key-1', '--turn-api-base', w.turnApi.apiBase]],
    more: [['turn', 'revoke', 'someone', '--turn-key-id', 'nope', '--turn-api-base', w.turnApi.apiBase]],
  }),
  'relay:status': (w) => ({
    ok: [['relay', 'status', '--relay-admin-url', w.relay.adminUrl]],
    more: [['relay', 'status', '--relay-admin-url', 'http://127.0.0.1:1']],
  }),
  'relay:start': (w) => ({
    ok: [
      [
        'relay',
        'start',
        '--dry-run',
        '--relay-listen',
        '127.0.0.1:0',
        '--admin-listen',
        '127.0.0.1:0',
        '--calls-app-id',
        'app-1',
        '--calls-api-base',
        w.calls.apiBase,
      ],
      [
        'relay',
        'start',
        '--dry-run',
        '--relay-listen',
        '127.0.0.1:0',
        '--admin-listen',
        join(w.dir, 'relay-admin.sock'),
        '--trust-proxy',
        'cloudflare',
        '--calls-app-id',
        'app-1',
        '--mediamtx-url',
        w.mediamtx.whipUrl,
        '--stun-urls',
        '',
      ],
    ],
    more: [
      ['relay', 'start', '--dry-run', '--relay-listen', '0.0.0.0:0', '--calls-app-id', 'app-1', '--insecure-no-auth'],
      ['relay', 'start', '--dry-run', '--calls-app-id', 'app-1', '--relay-target', 'http://127.0.0.1:8889/whip'],
      ['relay', 'start', '--dry-run', '--calls-app-id', 'app-1', '--relay-tokens-file', join(w.dir, 'absent')],
      ['relay', 'start', '--dry-run', '--relay-listen', '127.0.0.1:0'],
      ['relay', 'start', '--dry-run', '--calls-app-id', 'app-1', '--admin-listen', '0.0.0.0:8891'],
      ['relay', 'start', '--dry-run', '--calls-app-id', 'app-1', '--trust-proxy', 'everyone'],
      ['relay', 'start', '--dry-run', '--calls-app-id', 'app-1', '--on-conflict', 'evict'],
      ['relay', 'start', '--dry-run', '--relay-listen', '127.0.0.1:0', '--calls-app-id', 'app-1', '--mode', 'sideways'],
    ],
  }),
  'relay:pull': (w) => ({
    ok: [
      [
        'relay',
        'pull',
        '--relay-admin-url',
        w.relay.adminUrl,
        '--session',
        w.callsSession,
        '--track',
        'cam',
        '--path',
        'pulled',
      ],
    ],
    more: [
      // A session Calls does not have, and a track the session does not publish: refused with Calls' answer.
      [
        'relay',
        'pull',
        '--relay-admin-url',
        w.relay.adminUrl,
        '--session',
        'feedc0de',
        '--track',
        'cam',
        '--path',
        'x',
      ],
      [
        'relay',
        'pull',
        '--relay-admin-url',
        w.relay.adminUrl,
        '--session',
        w.callsSession,
        '--track',
        'nope',
        '--path',
        'y',
      ],
      [
        'relay',
        'pull',
        '--relay-admin-url',
        w.relay.adminUrl,
        '--session',
        'bad id',
        '--track',
        'cam',
        '--path',
        'pulled',
      ],
      [
        'relay',
        'pull',
        '--relay-admin-url',
        w.relay.url,
        '--session',
        'feedc0de',
        '--track',
        'cam',
        '--path',
        'pulled',
      ],
      [
        'relay',
        'pull',
        '--relay-admin-url',
        'http://127.0.0.1:1',
        '--session',
        'feedc0de',
        '--track',
        'cam',
        '--path',
        'p',
      ],
    ],
  }),
  'mediamtx:check': (w) => ({
    ok: [
      ['mediamtx', 'check', '--file', mediamtxCopy(w)],
      ['mediamtx', 'check', '--file', mediamtxCopy(w, 'v1.3.0'), '--mediamtx-version', 'v1.20.1'],
      ['mediamtx', 'check', '--mediamtx-api-url', w.mediamtxApi.url, '--mediamtx-api-user', 'r58'],
    ],
    more: [
      ['mediamtx', 'check', '--file', brokenMediamtx(w)],
      ['mediamtx', 'check', '--mediamtx-api-url', w.mediamtxApi.url, '--mediamtx-api-user', 'nobody'],
      ['mediamtx', 'check', '--mediamtx-api-url', 'http://127.0.0.1:1'],
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
        '--mediamtx-api-url',
        w.mediamtxApi.url,
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
      ['mediamtx', 'configure', '--mediamtx-api-url', w.mediamtxApi.url, '--add-host', '100.64.0.7', '--apply'],
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
        '--mediamtx-api-url',
        w.mediamtxApi.url,
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
  diagnose: (w) => ({
    // The world's stand-in advertises a (fake) LAN address that a real diagnosis would try: the lab keeps to loopback.
    ok: [['diagnose', '--lab']],
    more: [
      ['diagnose', '--mediamtx-url', 'http://127.0.0.1:1', '--relay-url', w.relay.url, '--timeout', '3s'],
      ['diagnose', '--lab-turn'],
    ],
  }),
}
