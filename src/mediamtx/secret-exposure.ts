/**
 * Does a mediamtx.yml that holds a TURN password let other users read it? r58 keeps the file's owner and mode
 * (MediaMTX must still read it, as whatever user it runs as), so instead of changing them it says so, and how
 * to keep the secret readable by MediaMTX's user only.
 */
import {stat} from 'node:fs/promises'
import {shellQuote} from '../util/shell-quote.js'
import {readMediamtxConfig} from './config-read.js'

export interface FileWarning {
  /** Stable id, like a check's. */
  id: 'mediamtx.file.secret-readable'
  message: string
  /** A command that runs as printed. */
  fix: string
}

function holdsTurnPassword(text: string, path: string): boolean {
  try {
    return readMediamtxConfig(text, path).webrtc.iceServers.some((server) => server.password !== '')
  } catch {
    return false // a file r58 could not read back holds nothing it wrote
  }
}

/**
 * A warning when `text` (the file's content after the edit) holds a TURN password and the file at `target` is
 * readable by its group or by everyone. `pending`: the edit was not written (dry run).
 */
export async function secretExposureWarnings(
  path: string,
  target: string,
  text: string,
  pending: boolean,
): Promise<FileWarning[]> {
  if (!holdsTurnPassword(text, path)) return []
  let info: Awaited<ReturnType<typeof stat>>
  try {
    info = await stat(target)
  } catch {
    return []
  }
  const readable = info.mode & 0o044
  if (readable === 0) return []
  const mode = (info.mode & 0o7777).toString(8).padStart(4, '0')
  const who = readable & 0o004 ? 'other users' : `members of its group (gid ${info.gid})`
  const file = shellQuote(target)
  return [
    {
      id: 'mediamtx.file.secret-readable',
      message:
        `${path} ${pending ? 'would hold' : 'holds'} a TURN password and is readable by ${who} (mode ${mode}); ` +
        `r58 kept its owner (uid ${info.uid}) and mode. MediaMTX reads webrtcICEServers2 as the user it runs as: ` +
        `make that user the owner and let nobody else read the file (if MediaMTX does not run as uid ${info.uid}, ` +
        `first \`sudo chown <its user> ${file}\`).`,
      fix: `sudo chmod 600 ${file}`,
    },
  ]
}
