// Whether the last call to MAGMA failed (no answer, or a 5xx), seen from every call the API transport makes: a write
// (a backing report, a verdict) then probes GET /v1/health first, as MAGMA's own app does before a transaction, and
// waits for a later pass while MAGMA is down instead of spending its attempt (PROTOCOL.md section 9).
import type { ApiCallRecord } from '../ports/store.js';

export class MagmaLiveness {
  private failed = false;

  /** Every MAGMA API call's record (any answer below 500 means MAGMA is up, whatever it said). */
  observe(call: Pick<ApiCallRecord, 'status'>): void {
    this.failed = call.status === null || call.status >= 500;
  }

  get lastCallFailed(): boolean {
    return this.failed;
  }
}
