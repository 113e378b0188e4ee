/** A throwaway self-signed certificate made at test time with openssl (never committed). */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface TestCertificate {
  keyPath: string
  certPath: string
  key: string
  cert: string
}

export function makeSelfSignedCertificate(
  commonName = 'localhost',
  altNames = ['DNS:localhost', 'IP:127.0.0.1'],
): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'r58-tls-'))
  const keyPath = join(dir, 'key.pem')
  const certPath = join(dir, 'cert.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      `subjectAltName=${altNames.join(',')}`,
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    {stdio: 'ignore'},
  )
  return {keyPath, certPath, key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8')}
}
