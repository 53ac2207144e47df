/**
 * The demo's timed part alone: exercise 8's training (`npm run demo`'s first `fit`: the first 3,000
 * official MNIST digits, the course's noise, 25 epochs, batch 32, SGD 0.01 momentum 0.95, validation on
 * the first 500 official test digits), timed by wall clock and by this process's CPU time, with the load
 * average before and after. The issue's target: under 40 s.
 *
 *   npx tsx bench/exercise8.ts [--threads 1|2] [--epochs 25] [--train 3000] [--off <switch>]
 *
 * `--off <switch>` turns one of `kernelOptions`' switches off (`src/backend/wasm/util.ts`) before the model is
 * built: `--off upsampledConvJoinPhases --threads 1` is the demo as it ran before its lever and thread choice.
 */
import * as os from 'node:os';
import { denoisingAE, loadMnist, setSeed, useBackend } from '../src/index.js';
import { switchesOff } from './lib/switches.js';
import { flagValue, numberFlag } from './lib/args.js';
import { EXERCISE_8, EXERCISE_8_OPTIMIZER } from '../examples/shared/exercise8.js';

const args = process.argv.slice(2);
const value = (flag: string, dflt: number) => numberFlag(args, flag, dflt);
const threads = value('--threads', 1);
const epochs = value('--epochs', 25);
const train = value('--train', 3000);
const off = flagValue(args, '--off');
if (off !== undefined) switchesOff(off.split(','));
const load = () => os.loadavg().map((v) => v.toFixed(2)).join('/');

const info = await useBackend('wasm', { threads });
setSeed(42);
const mnist = await loadMnist({ source: 'full', order: 'official', train, test: 500 });
const dae = denoisingAE({ ...EXERCISE_8, noise: { kind: 'uniform', scale: 0.3 } });
const loadBefore = load();
const c0 = process.cpuUsage();
const t0 = performance.now();
const history = await dae.fit(mnist.xTrain, { epochs, batchSize: 32, validationData: mnist.xTest, optimizer: EXERCISE_8_OPTIMIZER, verbose: 0 });
const seconds = (performance.now() - t0) / 1000;
const c = process.cpuUsage(c0);
const cpu = (c.user + c.system) / 1e6;
process.stdout.write(
  `exercise 8 training: ${seconds.toFixed(1)} s wall, ${cpu.toFixed(1)} s CPU, ${((train * epochs) / seconds).toFixed(0)} ex/s; ` +
    `wasm ${info.threads} thread(s)${off ? `, ${off} off` : ''}; ${epochs} epochs x ${train} digits; loss ${history.loss.at(-1)?.toFixed(4)} valLoss ${history['valLoss']?.at(-1)?.toFixed(4)}; ` +
    `load average ${loadBefore} before, ${load()} after\n`,
);
dae.dispose();
mnist.dispose();
