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
  'turn:revoke': (w) => ({
    ok: [['turn', 'revoke', 'someone', '--key-id', 'key-1', '--api-base', w.turnApi.apiBase]],
    more: [['turn', 'revoke', 'someone', '--key-id', 'nope', '--api-base', w.turnApi.apiBase]],
  }),
}
