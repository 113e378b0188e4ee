/** Messages between `gatherCandidates` and its child process (gather-child.ts), over Node's IPC channel. */
import type {IceServer} from './ice-url.js'

export interface GatherJob {
  /** Exactly one ICE server URL (werift uses only the first TURN URL of a list), or none for host only. */
  iceServers: IceServer[]
  relayOnly: boolean
  /** For turns: URLs: extra CA (PEM) and whether to skip verification. */
  tlsCa?: string
  tlsInsecure?: boolean
}

export type ParentMessage = {type: 'start'; jobs: GatherJob[]; deadlineMs: number} | {type: 'stop'}

export type ChildMessage =
  /** werift is loaded: gathering can start (the deadline counts from here). */
  | {type: 'ready'}
  | {type: 'candidate'; job: number; elapsedMs: number; candidate: string}
  | {type: 'complete'; job: number; elapsedMs: number}
  | {type: 'error'; job: number; message: string}
  /** Every peer connection is closed; the child exits next. */
  | {type: 'closed'}
