// Magus stream events (seed 000, PROTOCOL.md section 6): each SSE message is one JSON object naming its `event`,
// then `data: [DONE]`. Known events are typed; unknown ones are kept as such so the consumer can skip them.
import type { SseMessage } from './sse-parser.js';

export interface MagusUsage {
  promptTokens: number;
  completionTokens: number;
}

export type MagusEvent =
  | { type: 'session.created'; sessionId: string | null; conversationId: string | null }
  | { type: 'message.started'; messageId: string | null }
  | { type: 'text.chunk'; delta: string }
  | { type: 'thinking.chunk'; delta: string }
  | { type: 'tool.started' | 'tool.progress' | 'tool.completed'; name: string | null; raw: Record<string, unknown> }
  | { type: 'message.completed'; messageId: string | null; usage: MagusUsage | null }
  | { type: 'error'; code: string | null; message: string }
  | { type: 'done' }
  | { type: 'unknown'; name: string }
  | { type: 'invalid'; reason: string };

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const tokens = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);

export function parseUsage(v: unknown): MagusUsage | null {
  if (typeof v !== 'object' || v === null) return null;
  const u = v as { prompt_tokens?: unknown; completion_tokens?: unknown };
  const prompt = tokens(u.prompt_tokens);
  const completion = tokens(u.completion_tokens);
  if (prompt === null && completion === null) return null;
  return { promptTokens: prompt ?? 0, completionTokens: completion ?? 0 };
}

export function toMagusEvent(m: SseMessage): MagusEvent {
  if (m.data.trim() === '[DONE]') return { type: 'done' };
  let body: unknown;
  try {
    body = JSON.parse(m.data);
  } catch {
    return { type: 'invalid', reason: 'an event whose data is not JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { type: 'invalid', reason: 'an event that is not a JSON object' };
  const b = body as Record<string, unknown>;
  const name = str(b.event) ?? m.event;
  switch (name) {
    case 'session.created':
      return { type: name, sessionId: str(b.session_id), conversationId: str(b.conversation_id) };
    case 'message.started':
      return { type: name, messageId: str(b.message_id) };
    case 'text.chunk':
    case 'thinking.chunk': {
      const delta = str(b.delta);
      return delta === null ? { type: 'invalid', reason: `${name} without a text delta` } : { type: name, delta };
    }
    case 'tool.started':
    case 'tool.progress':
    case 'tool.completed':
      return { type: name, name: str(b.name) ?? str(b.tool), raw: b };
    case 'message.completed':
      return { type: name, messageId: str(b.message_id), usage: parseUsage(b.usage) };
    case 'error': {
      const e = b.error;
      const nested = typeof e === 'object' && e !== null ? (e as { code?: unknown; message?: unknown }) : null;
      return { type: 'error', code: str(nested?.code) ?? str(b.code), message: (str(b.message) ?? str(nested?.message) ?? str(e) ?? 'no message').slice(0, 500) };
    }
    case null:
      return { type: 'invalid', reason: 'an event without a name' };
    default:
      return { type: 'unknown', name: name.slice(0, 64) };
  }
}
