/**
 * `node --import ./test/support/import-trace.mjs …`: appends every module URL the process resolves to the file
 * named by R58_IMPORT_TRACE, so a test can tell which packages a command loaded.
 */
import {register} from 'node:module'

register('./import-trace-hooks.mjs', import.meta.url)
