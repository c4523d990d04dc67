// The RPC adapter reads a node's answers as issue 11 needs: only a verdict on the transaction (-32002 simulation
// failed, -32003 signature, -32602 undecodable) is a refusal; a node's transient errors are thrown and retried; a
// status answer must carry context.slot; getEpochInfo gives one bank's slot and height. A loopback server plays the node.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcChain } from '../../../src/chain/rpc-chain.js';
import { isMagmaError } from '../../../src/core/errors.js';
import { HttpTransport } from '../../../src/http/transport.js';

let answer: (method: string) => unknown = () => null;
let server: Server;
let transport: HttpTransport;
let chain: RpcChain;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const r = JSON.parse(body) as { id: number; method: string };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: r.id, ...(answer(r.method) as object) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  transport = new HttpTransport({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 5_000 });
  chain = new RpcChain({ transport, commitment: 'confirmed' });
});
afterAll(async () => {
  await transport.close();
  await new Promise((r) => server.close(r));
});

describe('RpcChain and real nodes', () => {
  it('a node that is unhealthy or behind says nothing about the transaction: thrown (retried), never a refusal', async () => {
    for (const error of [{ code: -32005, message: 'Node is unhealthy' }, { code: -32016, message: 'Minimum context slot has not been reached' }]) {
      answer = () => ({ error });
      const err = await chain.sendTransaction(new Uint8Array([1, 2, 3])).catch((e: unknown) => e);
      expect(isMagmaError(err, 'RPC_FAILED')).toBe(true);
    }
  });

  it('a preflight failure is a refusal, and "already processed" is told apart', async () => {
    answer = () => ({ error: { code: -32002, message: 'Transaction simulation failed: Error processing Instruction 2: custom program error: 0x1773' } });
    expect(await chain.sendTransaction(new Uint8Array([1]))).toMatchObject({ ok: false, kind: 'rejected' });
    answer = () => ({ error: { code: -32002, message: 'Transaction simulation failed: This transaction has already been processed' } });
    expect(await chain.sendTransaction(new Uint8Array([1]))).toMatchObject({ ok: false, kind: 'already-processed' });
  });

  it('keeps the slot a status answer was read at, and refuses one without it', async () => {
    answer = () => ({ result: { context: { slot: 1234 }, value: [null, { slot: 1200, confirmations: 3, err: null, confirmationStatus: 'confirmed' }] } });
    expect(await chain.getSignatureStatuses(['a', 'b'])).toEqual({ slot: 1234, value: [null, { slot: 1200, confirmations: 3, err: null, confirmationStatus: 'confirmed' }] });
    answer = () => ({ result: { value: [null] } });
    await expect(chain.getSignatureStatuses(['a'])).rejects.toThrow(/without context\.slot/);
  });

  it('reads one bank\'s slot and block height together', async () => {
    answer = () => ({ result: { absoluteSlot: 5000, blockHeight: 4900, epoch: 0, slotIndex: 5000, slotsInEpoch: 432000 } });
    expect(await chain.getEpochInfo(undefined, 'finalized')).toEqual({ slot: 5000, blockHeight: 4900 });
    answer = () => ({ result: { epoch: 0 } });
    await expect(chain.getEpochInfo()).rejects.toThrow(/without an absoluteSlot and blockHeight/);
  });

  it('answers with huge numbers, wrong types or a huge message are RPC_FAILED with a short message', async () => {
    const big = 'z'.repeat(500_000);
    const cases: Array<[unknown, () => Promise<unknown>]> = [
      [{ result: { value: 1e30 } }, () => chain.getBalance('11111111111111111111111111111111')],
      [{ result: { value: '5000' } }, () => chain.getBalance('11111111111111111111111111111111')],
      [{ result: { value: -1 } }, () => chain.getBalance('11111111111111111111111111111111')],
      [{ result: [big] }, () => chain.getBlockHeight()],
      [{ result: { value: { blockhash: 7, lastValidBlockHeight: 2 ** 64 } } }, () => chain.getLatestBlockhash()],
      [{ result: { absoluteSlot: '1', blockHeight: null } }, () => chain.getEpochInfo()],
      [{ error: { code: big, message: `${big}\n\u0000` } }, () => chain.sendTransaction(new Uint8Array([1]))],
      [{ error: { code: { nested: true }, message: { not: 'text' } } }, () => chain.getBlockHeight()],
    ];
    for (const [body, call] of cases) {
      answer = () => body;
      const err = await call().catch((e: unknown) => e);
      expect(isMagmaError(err, 'RPC_FAILED'), JSON.stringify(body).slice(0, 80)).toBe(true);
      expect((err as Error).message.length).toBeLessThan(400);
      expect((err as Error).message).not.toMatch(/[\u0000-\u001f]/);
    }
  });
});
