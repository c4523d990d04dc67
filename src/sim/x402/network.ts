// The simulator's x402 constants, apart from LiteSVM (which is loaded only when x402 is on).

/** The simulator's network (devnet's CAIP-2 id): @x402/svm builds its RPC client only for the public clusters' ids. */
export const SIM_X402_NETWORK = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1';
/** The same network's x402 version 1 name. */
export const SIM_X402_NETWORK_V1 = 'solana-devnet';
export const TEST_USDC_DECIMALS = 6;
