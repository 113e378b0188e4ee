import {expect, it} from 'vitest'
import {GLOBAL_CONF_TYPES, PATH_CONF_TYPES} from '../../../../src/sim/mediamtx/conf-types.js'
import {confTypesFromOpenapi} from '../../../support/openapi-conf-types.js'

it('the stand-in API types are those of the MediaMTX OpenAPI files', () => {
  const fromOpenapi = confTypesFromOpenapi()
  expect(GLOBAL_CONF_TYPES).toEqual(fromOpenapi.global)
  expect(PATH_CONF_TYPES).toEqual(fromOpenapi.path)
  expect(GLOBAL_CONF_TYPES['webrtcICEServers2']).toBe('object[]')
  expect(PATH_CONF_TYPES['sourceOnDemand']).toBe('boolean')
})
