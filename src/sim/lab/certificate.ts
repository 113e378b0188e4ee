/** Throwaway self-signed certificates for the local lab (coturn's TLS listener), made with openssl. */
import {execFile} from 'node:child_process'
import {mkdtemp, readFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {R58Error} from '../../errors.js'

export interface LabCertificate {
  certPath: string
  keyPath: string
  /** PEM; a self-signed certificate is its own CA (pass it as --ca). */
  cert: string
}

export interface CertificateOptions {
  commonName?: string
  /** subjectAltName entries, e.g. `DNS:localhost`, `IP:127.0.0.1`. Empty: no subjectAltName at all. */
  altNames?: readonly string[]
  /** Where to write cert.pem and key.pem (default: a new temporary directory). */
  dir?: string
  days?: number
}

/** Makes an EC P-256 certificate valid for `localhost` and `127.0.0.1` unless told otherwise. */
export async function makeSelfSignedCertificate(options: CertificateOptions = {}): Promise<LabCertificate> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'r58-cert-')))
  const keyPath = join(dir, 'key.pem')
  const certPath = join(dir, 'cert.pem')
  const altNames = options.altNames ?? ['DNS:localhost', 'IP:127.0.0.1']
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  args.push('-days', String(options.days ?? 1), '-subj', `/CN=${options.commonName ?? 'localhost'}`)
  if (altNames.length > 0) args.push('-addext', `subjectAltName=${altNames.join(',')}`)
  args.push('-keyout', keyPath, '-out', certPath)
  try {
    await promisify(execFile)('openssl', args)
  } catch (error) {
    const missing = (error as {code?: string}).code === 'ENOENT'
    throw new R58Error(
      'E_CONFIG',
      missing ? 'openssl is not installed' : `openssl failed: ${(error as Error).message}`,
      {
        hint: missing ? 'Install it: apt-get install openssl' : undefined,
        cause: error,
      },
    )
  }
  return {certPath, keyPath, cert: await readFile(certPath, 'utf8')}
}
