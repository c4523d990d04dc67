// Registers the webhook URL with MAGMA once (remembered in the store's meta table). The composition (src/app) uses it
// only where writes are sent: a dry run registers nothing. A failure only costs the early ticks: polling goes on, so it is logged, not fatal.
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { WEBHOOK_EVENTS, type MagmaApi } from '../ports/magma-api.js';
import type { Store } from '../ports/store.js';

const META_KEY = 'webhook.registered_url';

export async function ensureWebhookRegistered(input: { api: MagmaApi; store: Store; url: string; logger: Logger; signal?: AbortSignal }): Promise<boolean> {
  const { api, store, url, logger } = input;
  if (store.getMeta(META_KEY) === url) return true;
  try {
    await api.registerWebhook(url, WEBHOOK_EVENTS, input.signal);
    store.setMeta(META_KEY, url);
    logger.info('webhook.registered', { events: WEBHOOK_EVENTS.join(',') });
    return true;
  } catch (err) {
    logger.warn('webhook.registration_failed', { msg: `${errorMessage(err)} The agent keeps polling on schedule; it retries registration at the next start.` });
    return false;
  }
}
