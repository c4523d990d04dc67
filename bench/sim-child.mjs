// The simulator in a process of its own, on a manual clock the bench advances over IPC, so that the agent's CPU
// per tick is measured without the simulator's share.
import { ManualClock } from '../dist/src/clock/manual-clock.js';
import { Simulator } from '../dist/src/sim/simulator.js';
import { startTimeForSeed } from '../dist/src/sim/world/world.js';

const seed = Number(process.argv[2] ?? 2);
const clock = new ManualClock(startTimeForSeed(seed));
const sim = new Simulator({ seed, clock });
const urls = await sim.start();
process.send({ urls, now: clock.now() });
process.on('message', async (m) => {
  if (m.advance) {
    clock.advance(m.advance);
    process.send({ now: clock.now() });
  } else if (m.stop) {
    await sim.stop();
    process.exit(0);
  }
});
