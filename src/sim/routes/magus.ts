// POST /magus/api/v1/messages: a stand-in for the Magus LLM judge (PROTOCOL.md section 6) so strategies that ask it
// can rehearse offline. It answers deterministically: for each world narrative id in the message, an estimate of
// P(TRUE) near the hidden truth with seeded noise, in text and in a ```json block; non-stream JSON or SSE by
// `stream`, with the documented events per verbosity and the documented error envelope.
import { createHash } from 'node:crypto';
import { json, type Router, type SimResponse } from '../http/router.js';
import type { SimState } from '../sim-state.js';

const KEY = /^Bearer magus_sk_[0-9a-f]{32}$/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const VERBOSITY = ['minimal', 'standard', 'full'];

export const magusError = (status: number, code: string, message: string): SimResponse => json(status, { error: { code, message } });

function hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function uuidFrom(h: string): string {
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The judge's reply: a noisy read of the hidden truth (±0.15, fixed per seed and narrative). */
function answer(state: SimState, content: string): string {
  const ids = [...new Set((content.match(UUID) ?? []).map((id) => id.toLowerCase()))];
  const known = ids.map((id) => state.world.get(id)).filter((n) => n !== undefined);
  if (known.length === 0) return 'I could not find a MAGMA narrative id in your message. Send the narrative id, title and thesis, and I will estimate the probability it resolves TRUE.';
  const estimates = known.map((n) => {
    const noise = (parseInt(hex(`magus:${state.seed}:${n.id}`).slice(0, 8), 16) / 0xffffffff - 0.5) * 0.3;
    const p = Math.round(Math.min(0.99, Math.max(0.01, n.trueProbability + noise)) * 100) / 100;
    return { narrative_id: n.id, p_true: p, confidence: 0.6 };
  });
  const lines = estimates.map((e) => `"${state.world.get(e.narrative_id)!.title}": I estimate the probability it resolves TRUE at about ${e.p_true.toFixed(2)}.`);
  return `${lines.join('\n')}\n\n\`\`\`json\n${JSON.stringify(estimates.length === 1 ? estimates[0] : estimates)}\n\`\`\``;
}

export function magusRoutes(state: SimState) {
  let messages = 0;
  return (router: Router) => {
    router.on('POST', '/magus/api/v1/messages', (req) => {
      const auth = req.headers.authorization;
      if (typeof auth !== 'string' || !KEY.test(auth)) return magusError(401, 'invalid_api_key', 'Invalid API key');
      const body = (req.body ?? {}) as { content?: unknown; session_id?: unknown; stream?: unknown; verbosity?: unknown; attachments?: unknown };
      if (typeof body.content !== 'string' || !body.content.trim()) return magusError(400, 'invalid_request', 'content is required');
      if (body.session_id !== undefined && typeof body.session_id !== 'string') return magusError(400, 'invalid_request', 'session_id must be a string');
      if (body.verbosity !== undefined && !VERBOSITY.includes(body.verbosity as string)) return magusError(400, 'invalid_request', 'verbosity must be minimal, standard or full');
      if (body.attachments !== undefined && !Array.isArray(body.attachments)) return magusError(400, 'invalid_request', 'attachments must be a list');
      messages++;
      const sessionId = (body.session_id as string | undefined) ?? `sess_${hex(`session:${state.seed}:${messages}`).slice(0, 16)}`;
      const conversationId = uuidFrom(hex(`conversation:${sessionId}`));
      const id = `msg_${hex(`message:${state.seed}:${messages}`).slice(0, 12)}`;
      const content = answer(state, body.content);
      const usage = { prompt_tokens: Math.ceil(body.content.length / 4) + 120, completion_tokens: Math.ceil(content.length / 4) };
      const createdAt = new Date(state.clock.now()).toISOString();
      if (body.stream !== true) {
        return json(200, { id, session_id: sessionId, conversation_id: conversationId, content, citations: [], tool_calls: [], attachments: [], usage, created_at: createdAt });
      }
      const verbosity = (body.verbosity as string | undefined) ?? 'standard';
      const events: unknown[] = [
        { event: 'session.created', session_id: sessionId, conversation_id: conversationId },
        { event: 'message.started', message_id: id },
      ];
      if (verbosity === 'full') events.push({ event: 'thinking.chunk', delta: 'Looking the narrative up in the world.' });
      if (verbosity !== 'minimal') events.push({ event: 'tool.started', tool: 'magma_lookup' });
      if (verbosity === 'full') events.push({ event: 'tool.progress', tool: 'magma_lookup', message: 'reading narrative' });
      if (verbosity !== 'minimal') events.push({ event: 'tool.completed', tool: 'magma_lookup' });
      for (let i = 0; i < content.length; i += 48) events.push({ event: 'text.chunk', delta: content.slice(i, i + 48) });
      events.push({ event: 'message.completed', message_id: id, usage });
      const text = `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`;
      return { status: 200, text, headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' } };
    });
  };
}
