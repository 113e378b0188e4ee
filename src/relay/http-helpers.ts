/**
 * What the relay's two HTTP listeners (guests, operator) share on top of src/net's server helpers: errors that
 * become answers, and the guest path names it accepts.
 */
import {BodyTooLargeError} from '../net/http-body.js'

/** An expected refusal: becomes an HTTP answer with this status, a JSON `{error}` body and these headers. */
export class HttpError extends Error {
  readonly status: number
  readonly headers: Record<string, string>

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message)
    this.status = status
    this.headers = headers
  }
}

/** The answer for an expected refusal (an oversized body is a 413), or undefined for a failure behind the relay. */
export function asHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error
  if (error instanceof BodyTooLargeError) return new HttpError(413, error.message)
  return undefined
}

export function decodePath(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the path')
  }
}

/** Guest path names: what MediaMTX accepts, without traversal or surprises. */
const PATH_NAME = /^[A-Za-z0-9_.~-][A-Za-z0-9_.~/-]{0,127}$/

export const isPathName = (path: string) => PATH_NAME.test(path) && !path.includes('..')
