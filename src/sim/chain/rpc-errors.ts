// The shapes of a node's sendTransaction answers: a signature, or a JSON-RPC error; and how the simulator tells a
// refusal before execution (never lands) from a failure while executing (lands with skipPreflight, fee charged).

export interface RpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

export type SendResult = { ok: true; signature: string } | { ok: false; error: RpcErrorBody };

/** Why a transaction failed: before execution (it never lands) or while executing (it lands, failed, fee charged). */
export type Refusal = { ok: false; error: RpcErrorBody; executed?: { err: unknown } };
export type Judged = Refusal | { ok: true; apply: () => void };

export function simulationFailed(reason: string, err: unknown, logs: string[] = [], executed = false): Refusal {
  return {
    ok: false,
    ...(executed ? { executed: { err } } : {}),
    error: {
      code: -32002,
      message: `Transaction simulation failed: ${reason}`,
      data: { accounts: null, err, innerInstructions: null, logs, replacementBlockhash: null, returnData: null, unitsConsumed: 0 },
    },
  };
}
