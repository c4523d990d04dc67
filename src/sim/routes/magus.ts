// /magus/api/v1/messages: a scripted Magus judge (seed 000, PROTOCOL.md section 6) on the simulator's port.
// It answers with a strict JSON probability for a narrative — {"p_true", "verdict", "confidence", "reasoning"} — informed by the
// world's hidden truth when the session (narrative-<id>) or the content names a narrative, whole or as server-sent
// events honouring verbosity (at "full": thinking, tool progress and one unknown event, `sim.debug`, that clients
// must skip). Any bearer key of the form magus_sk_<32 hex> is accepted.
//
// Faults on demand, by header `x-sim-magus-fault: <name>` or body field `sim_fault`:
//   invalid_request 400, invalid_api_key 401, integration_inactive 403, usage_limit_exceeded 403, agent_error 502,
//   timeout 504, internal_error 500 — each as {error:{code, message}};
//   stream_error — a streamed answer that breaks off with an `error` event;
//   stream_truncated — a streamed answer that ends without message.completed.
import { createHash, randomUUID } from 'node:crypto';
import { json, type Router, type SimRequest, type SimResponse } from '../http/router.js';
import type { SimState } from '../sim-state.js';

export const MAGUS_PATH = '/magus/api/v1/messages';

export const MAGUS_ERRORS: Record<string, [status: number, message: string]> = {
  invalid_request: [400, 'Missing content or malformed request'],
  invalid_api_key: [401, 'Invalid API key'],
  integration_inactive: [403, 'Integration is disabled or suspended'],
  usage_limit_exceeded: [403, 'Daily credit limit reached'],
  agent_error: [502, 'Agent encountered an error while processing'],
  timeout: [504, 'Agent did not respond within the time limit'],
  internal_error: [500, 'Internal server error'],
};
const STREAM_FAULTS = new Set(['stream_error', 'stream_truncated']);
const KEY = /^Bearer magus_sk_[0-9a-f]{32}$/;
const VERBOSITY = ['minimal', 'standard', 'full'] as const;
type Verbosity = (typeof VERBOSITY)[number];
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

const magusError = (code: string): SimResponse => {
  const [status, message] = MAGUS_ERRORS[code]!;
  return json(status, { error: { code, message } });
};

/** A number in [0, 1) from a string, so the same question gets the same answer. */
function unit(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

interface Body {
  content: string;
  sessionId: string | null;
  stream: boolean;
  verbosity: Verbosity;
  attachmentBytes: number;
  fault: string | null;
}

function validate(req: SimRequest): Body | string {
  const b = req.body as Record<string, unknown> | undefined;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return 'body must be a JSON object';
  if (typeof b.content !== 'string' || !b.content.trim() || b.content.length > 100_000) return 'content is required (1-100000 characters)';
  if (b.session_id !== undefined && (typeof b.session_id !== 'string' || !b.session_id || b.session_id.length > 200)) return 'session_id must be a string';
  if (b.stream !== undefined && typeof b.stream !== 'boolean') return 'stream must be a boolean';
  if (b.verbosity !== undefined && !VERBOSITY.includes(b.verbosity as Verbosity)) return 'verbosity must be minimal, standard or full';
  let attachmentBytes = 0;
  if (b.attachments !== undefined) {
    if (!Array.isArray(b.attachments) || b.attachments.length > 10) return 'attachments must be a list (at most 10)';
    for (const a of b.attachments as Array<Record<string, unknown>>) {
      if (!a || a.type !== 'file' || typeof a.name !== 'string' || typeof a.content_type !== 'string' || typeof a.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(a.data)) {
        return 'each attachment needs type "file", name, content_type and base64 data';
      }
      attachmentBytes += Math.floor((a.data.length * 3) / 4);
    }
  }
  const header = req.headers['x-sim-magus-fault'];
  const fault = typeof header === 'string' ? header : typeof b.sim_fault === 'string' ? b.sim_fault : null;
  return {
    content: b.content, sessionId: typeof b.session_id === 'string' ? b.session_id : null, stream: b.stream === true,
    verbosity: (b.verbosity as Verbosity | undefined) ?? 'standard', attachmentBytes, fault,
  };
}

export function magusRoutes(state: SimState) {
  const conversations = new Map<string, string>();

  function judge(body: Body): string {
    const fromSession = body.sessionId?.match(/^narrative-(.+)$/)?.[1];
    const id = fromSession ?? body.content.match(UUID)?.[0];
    const n = id ? state.world.get(id) : undefined;
    const noise = unit(`${body.sessionId ?? ''}|${body.content}`);
    const pTrue = n ? Math.min(0.98, Math.max(0.02, n.trueProbability + (noise - 0.5) * 0.2)) : 0.05 + noise * 0.9;
    const p = Math.round(pTrue * 1000) / 1000;
    const answer = {
      p_true: p,
      verdict: p >= 0.65 ? 'true' : p <= 0.35 ? 'false' : 'unsure',
      confidence: n ? 0.6 : 0.3,
      reasoning: n ? `Weighed "${n.title.slice(0, 80)}" against current conditions.` : 'No narrative recognised in the question: a weak prior.',
    };
    return JSON.stringify(answer);
  }

  return (router: Router) => {
    router.on('POST', MAGUS_PATH, (req) => {
      const auth = req.headers.authorization;
      if (typeof auth !== 'string' || !KEY.test(auth)) return magusError('invalid_api_key');
      const body = validate(req);
      if (typeof body === 'string') return json(400, { error: { code: 'invalid_request', message: body } });
      if (body.fault && MAGUS_ERRORS[body.fault]) return magusError(body.fault);
      if (body.fault && !STREAM_FAULTS.has(body.fault)) return json(400, { error: { code: 'invalid_request', message: `unknown sim_fault "${body.fault}"` } });

      const sessionId = body.sessionId ?? `sess_${randomUUID()}`;
      let conversationId = conversations.get(sessionId);
      if (!conversationId) {
        conversationId = randomUUID();
        conversations.set(sessionId, conversationId);
      }
      const messageId = `msg_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      const content = judge(body);
      const usage = { prompt_tokens: Math.ceil(body.content.length / 4) + Math.ceil(body.attachmentBytes / 4), completion_tokens: Math.ceil(content.length / 4) };
      const createdAt = new Date(state.clock.now()).toISOString();

      if (!body.stream) {
        return json(200, { id: messageId, session_id: sessionId, conversation_id: conversationId, content, citations: [], tool_calls: [], attachments: [], usage, created_at: createdAt });
      }
      const v = VERBOSITY.indexOf(body.verbosity);
      const events: object[] = [
        { event: 'session.created', session_id: sessionId, conversation_id: conversationId },
        { event: 'message.started', message_id: messageId },
      ];
      if (v >= 2) events.push({ event: 'thinking.chunk', delta: 'Checking the narrative against the world… ' }, { event: 'sim.debug', note: 'an event clients must skip' });
      if (v >= 1) events.push({ event: 'tool.started', name: 'world_lookup' });
      if (v >= 2) events.push({ event: 'tool.progress', name: 'world_lookup', progress: 0.5 });
      if (v >= 1) events.push({ event: 'tool.completed', name: 'world_lookup' });
      const deltas = content.match(/[\s\S]{1,12}/g) ?? [];
      for (const [i, delta] of deltas.entries()) {
        if (body.fault === 'stream_error' && i === Math.floor(deltas.length / 2)) {
          events.push({ event: 'error', message: 'Agent encountered an error while processing' });
          break;
        }
        events.push({ event: 'text.chunk', delta });
      }
      const broken = body.fault === 'stream_error' || body.fault === 'stream_truncated';
      if (!broken) events.push({ event: 'message.completed', message_id: messageId, usage });
      const text = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + (broken ? '' : 'data: [DONE]\n\n');
      return { status: 200, text, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } };
    });
  };
}
