/** The one HTTP error type: a status, a one-line message and optional details. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly details: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The JSON body every API error has: `{ error, details }`. */
export function errorBody(message: string, details: string | null = null) {
  return { error: message, details };
}

export function jsonError(status: number, message: string, details: string | null = null, headers: Record<string, string> = {}): Response {
  return Response.json(errorBody(message, details), { status, headers });
}
