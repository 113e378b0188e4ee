/**
 * What the NAT lab needs from this machine: root (network namespaces, iptables) and the programs its hosts run.
 * Only Node's own modules here: the test runner's config reads this to decide whether the lab project runs.
 */
import {execFileSync} from 'node:child_process'

const PROGRAMS = [
  ['ip', 'iproute2'],
  ['iptables', 'iptables'],
  ['turnserver', 'coturn'],
  ['whip-client', 'simple-whip-client'],
  ['gcc', 'gcc'],
  ['chromium', 'chromium'],
] as const

/** Why this machine cannot run the NAT lab, with the command that makes it able to; null when it can. */
export function natLabUnavailable(): string | null {
  const missing: string[] = []
  if (process.getuid?.() !== 0) missing.push('root (network namespaces and iptables need it)')
  for (const [program, pkg] of PROGRAMS) {
    try {
      execFileSync('sh', ['-c', `command -v ${program}`], {stdio: 'ignore'})
    } catch {
      missing.push(`${program} (apt-get install ${pkg})`)
    }
  }
  return missing.length === 0
    ? null
    : `the NAT lab needs ${missing.join(', ')}; run it as root with \`sudo bash .ci/lab-deps.sh && sudo npm run test:lab\``
}
