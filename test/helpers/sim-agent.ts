// The agent as `run --sim` builds it (dry-run unless a test says otherwise) against the in-process simulator on
// loopback, both on one manual clock, and the simulator's fault switch. For a live agent with its ledger: live-sim.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { createAgent, type Agent } from '../../src/app/agent.js';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import { Simulator, type SimulatorOptions, type SimulatorUrls } from '../../src/sim/simulator.js';
import { startTimeForSeed } from '../../src/sim/world/world.js';

export interface SimAgent {
  sim: Simulator;
  clock: ManualClock;
  agent: Agent;
  urls: SimulatorUrls;
  /** Sets the simulator's faults (POST /__sim/faults); throws when it refuses them. */
  fault(body: unknown): Promise<void>;
  close(): Promise<void>;
}

export async function startSimAgent(o: {
  seed: number; flags?: Record<string, unknown> | ((urls: SimulatorUrls, sim: Simulator) => Record<string, unknown>); logger?: Logger;
  /** More simulator options (x402, …). */
  simOptions?: Omit<SimulatorOptions, 'seed' | 'clock'>;
}): Promise<SimAgent> {
  const clock = new ManualClock(startTimeForSeed(o.seed));
  const sim = new Simulator({ seed: o.seed, clock, ...o.simOptions });
  const urls = await sim.start();
  try {
    const { config } = loadConfig({
      env: {},
      flags: {
        dataDir: mkdtempSync(join(tmpdir(), 'magma-sim-agent-')), dryRun: true, 'api.url': urls.api, 'rpc.url': urls.rpc,
        'prices.source': 'sim', 'prices.url': urls.api, ...(typeof o.flags === 'function' ? o.flags(urls, sim) : o.flags ?? {}),
      } as never,
    });
    const agent = await createAgent({ config, logger: o.logger ?? silentLogger(), apiKeyOverride: null, clock, createWalletIfMissing: true });
    return {
      sim, clock, agent, urls,
      async fault(body) {
        const res = await request(`${urls.control}/faults`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
        if (res.statusCode !== 200) throw new Error(`the simulator refused the faults ${JSON.stringify(body)}: ${await res.body.text()}`);
        await res.body.dump();
      },
      async close() {
        await agent.close();
        await sim.stop();
      },
    };
  } catch (err) {
    await sim.stop();
    throw err;
  }
}
