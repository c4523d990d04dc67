// The chain port: the Solana JSON-RPC methods the daemon needs (PROTOCOL.md section 3). The executor issue adds
// blockhash, send and signature status.

export interface Chain {
  getBalance(address: string, signal?: AbortSignal): Promise<bigint>;
  getBlockHeight(signal?: AbortSignal): Promise<number>;
}
