/**
 * An error answer of the emulated API: HTTP status plus the documented `{errorCode, errorDescription}`
 * body. Handlers throw it; the server turns it into the response. Anything else thrown is a bug and becomes
 * a 500 `internal_error`.
 */

export class ApiError extends Error {
  readonly status: number
  readonly errorCode: string | undefined
  readonly headers: Record<string, string>

  constructor(
    status: number,
    errorCode: string | undefined,
    description: string,
    headers: Record<string, string> = {},
  ) {
    super(description)
    this.status = status
    this.errorCode = errorCode
    this.headers = headers
  }

  get body(): {errorCode?: string; errorDescription: string} {
    return this.errorCode === undefined
      ? {errorDescription: this.message}
      : {errorCode: this.errorCode, errorDescription: this.message}
  }
}

/** 400 `decoding_error`: the JSON or its field names/types do not match the schema. */
export function decodingError(detail: string): ApiError {
  return new ApiError(400, 'decoding_error', `JSON body validation error: ${detail}`)
}

/** 406 `invalid_params`: a valid document with an invalid field value or combination. */
export function invalidParams(detail: string): ApiError {
  return new ApiError(406, 'invalid_params', detail)
}

/** 400 `invalid_session_description`: an SDP the SFU cannot use, or an answer without an offer. */
export function invalidSessionDescription(detail: string): ApiError {
  return new ApiError(400, 'invalid_session_description', detail)
}

/** 406 without a code: another mutation of the session is in progress (overlapping requests). */
export function overlapping(sessionId: string): ApiError {
  return new ApiError(
    406,
    undefined,
    `Session ${sessionId} is busy: another request is in progress or an offer is waiting for its answer`,
  )
}
