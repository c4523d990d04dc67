// Maps Magus's documented errors ({error:{code, message}}, seed 000) to our codes, each with what to do. The
// documented code wins over the status; the message quoted from the server is cut short and stripped of control
// characters (the caller scrubs the Bearer key).
import { MagmaError, type ErrorCode } from '../core/errors.js';

interface Mapping {
  code: ErrorCode;
  what: string;
  hint: string;
}

const BY_CODE: Record<string, Mapping> = {
  invalid_request: { code: 'MAGUS_BAD_REQUEST', what: 'Magus refused the request as malformed', hint: 'This is a bug in the request magma-agent built; the strategy goes on without Magus for this narrative.' },
  invalid_api_key: { code: 'MAGUS_UNAUTHORIZED', what: 'Magus rejected the API key', hint: 'Set MAGUS_API_KEY (or magus.apiKey) to the key of an active Magus API integration (magus_sk_…).' },
  integration_inactive: { code: 'MAGUS_INACTIVE', what: 'the Magus API integration is disabled or suspended', hint: 'Re-activate it in Magus → Integrations, or create a new one and set MAGUS_API_KEY.' },
  usage_limit_exceeded: { code: 'MAGUS_USAGE_LIMIT', what: "the Magus account's daily credit limit is reached", hint: 'Magus is not called again until tomorrow (UTC); strategies go on without it.' },
  agent_error: { code: 'MAGUS_AGENT_ERROR', what: 'the Magus agent failed while answering', hint: 'A problem on the Magus side; the next narrative asks again.' },
  timeout: { code: 'MAGUS_TIMEOUT', what: 'the Magus agent did not answer in time', hint: 'The next narrative asks again; a shorter prompt may help.' },
  internal_error: { code: 'MAGUS_UNAVAILABLE', what: 'Magus failed internally', hint: 'A problem on the Magus side; the next narrative asks again.' },
};

const BY_STATUS: Record<number, string> = { 400: 'invalid_request', 401: 'invalid_api_key', 403: 'integration_inactive', 502: 'agent_error', 504: 'timeout', 500: 'internal_error' };

function quoted(message: unknown): string {
  return typeof message === 'string' ? message.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 300) : '';
}

/** An error answer (status ≥ 400) or an `error` stream event, as our error. */
export function magusError(status: number | null, body: unknown, route: string): MagmaError {
  const envelope = (body ?? {}) as { error?: unknown; code?: unknown; message?: unknown };
  const inner = typeof envelope.error === 'object' && envelope.error !== null ? (envelope.error as { code?: unknown; message?: unknown }) : null;
  const serverCode = typeof inner?.code === 'string' ? inner.code : typeof envelope.code === 'string' ? envelope.code : null;
  const said = quoted(inner?.message ?? envelope.message ?? (typeof envelope.error === 'string' ? envelope.error : typeof body === 'string' && !/<html|<!doctype/i.test(body) ? body : ''));
  const key = (serverCode && BY_CODE[serverCode] ? serverCode : null) ?? (status !== null ? BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : null) : null);
  const context = { route, status, magusCode: serverCode };
  if (!key) {
    return new MagmaError('MAGUS_MALFORMED', `Magus answered ${status ?? 'a stream error'} on ${route} with no documented error code${said ? ` (${said})` : ''}.`, {
      context, hint: 'Check magus.url (MAGUS_API_URL) points at a Magus instance, e.g. https://your-magus/ (without /api/v1).',
    });
  }
  const m = BY_CODE[key]!;
  return new MagmaError(m.code, `${m.what} (${status ?? 'stream'}${serverCode ? ` ${serverCode}` : ''}${said ? `: ${said}` : ''}).`, { context, hint: m.hint });
}
