// The x402 payer port: what the MAGMA client asks when a route answers 402 (PROTOCOL.md 7). The composition (src/app)
// plugs in the signing payer where money may move (live) and the refusing one where it never does (dry-run); the
// client never asks which mode it runs in.

/** A 402 answer as the transport read it. */
export interface PaymentChallenge {
  /** The route pattern (recorded), and the full URL the payment is for. */
  route: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A payment signed for one retry: its headers, and where the paid answer is reported (journal, metrics). */
export interface SignedPayment {
  headers: Record<string, string>;
  /** The paid retry's answer; throws X402_PAYMENT_FAILED when it was not served. */
  settle(answer: { status: number; headers: Record<string, string> }): void;
  /**
   * The paid retry got no answer (the network, a timeout): the payment may have settled, so it stays counted against
   * the day's cap and is never sent again; returns the error the call ends on (an abort is returned as it came).
   */
  unanswered(err: unknown): unknown;
}

export interface X402Payer {
  /** Signs a payment within the configured caps and allow-lists, or throws a typed MagmaError saying why not. */
  pay(challenge: PaymentChallenge, signal?: AbortSignal): Promise<SignedPayment>;
}

/** One row of the payment journal. */
export interface X402PaymentRecord {
  id: number;
  at: string;
  route: string;
  resource: string | null;
  x402Version: number | null;
  network: string | null;
  asset: string | null;
  payTo: string | null;
  amount: string | null;
  usd: number;
  state: 'signed' | 'settled' | 'failed' | 'refused';
  reason: string | null;
  challenge: unknown;
  response: unknown;
  tx: string | null;
  settledAt: string | null;
}
