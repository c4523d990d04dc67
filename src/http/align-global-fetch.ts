// Importing undici (our transport) installs undici 7's Agent as the process's global dispatcher, which Node 20's own
// fetch then uses; that pairing refuses a request carrying an explicit content-length ("invalid content-length
// header"), which @solana/kit's RPC transport always sets. Libraries that call the global fetch (kit, inside
// @x402/svm's payment builder) therefore get undici's fetch, the one that matches the dispatcher already installed.
import { fetch as undiciFetch } from 'undici';

export function alignGlobalFetch(): void {
  if (globalThis.fetch !== (undiciFetch as unknown as typeof globalThis.fetch)) {
    globalThis.fetch = undiciFetch as unknown as typeof globalThis.fetch;
  }
}
