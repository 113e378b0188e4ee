/** Start-up cost of the settings layer, which every command pays. */
import {parseConfigText} from '../src/config/file.js'
import {Redactor} from '../src/config/redact.js'
import {resolveSettings} from '../src/config/setting-resolve.js'
import {SETTING_KEYS} from '../src/config/settings.js'
import {renderConfigTemplate} from '../src/config/template.js'
import type {Bench} from './run.js'
import {summary} from './stats.js'

export default {
  name: 'settings: parse config file + resolve every setting',
  async run() {
    const text = renderConfigTemplate().replace('# appId: 0123456789abcdef0123456789abcdef', 'appId: abc')
    const times: number[] = []
    for (let i = 0; i < 200; i++) {
      const started = performance.now()
      const file = parseConfigText(text, 'bench.yaml')
      await resolveSettings({
        keys: SETTING_KEYS,
        flags: {values: new Map(), secretFiles: new Map()},
        env: {},
        file,
        redactor: new Redactor(),
      })
      times.push(performance.now() - started)
    }
    return {lines: [summary(times)]}
  },
} satisfies Bench
