/**
 * The mock upstream process: the project's simulator (same flags as
 * dist/lib/simulator/main.js), plus one bench-specific chore. The simulator records
 * every request it receives (tests inspect them); under saturation that is hundreds of
 * thousands of bodies, whose growing heap and GC would slow the mock — on the CPU the
 * proxy under test shares with it — more for whichever target happens to run later.
 * Clearing the record every second keeps the mock's cost flat.
 */
import { setInterval } from 'node:timers';
import { runMockCli } from '../../dist/lib/simulator/main.js';

const mock = await runMockCli(process.argv.slice(2));
const clearing = setInterval(() => mock.reset(), 1000);
clearing.unref();

const stop = () => {
  void mock.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
