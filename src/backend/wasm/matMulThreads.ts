/**
 * The SIMD product (`./simdMatMul.wat`) on every thread of a threaded wasm backend: latentkit's own helper
 * threads, each with an instance of the product on tfjs's shared heap, take parts of a product from a counter
 * in shared memory while the calling thread takes the others. Internal: started by `useBackend('wasm',
 * { threads })` (`startProductHelpers`), used by `./matMulKernels.ts` (`parallelProduct`).
 *
 * Why: tfjs's thread pool runs only XNNPACK's operators, and XNNPACK packs every new right operand; training's
 * products are all new, and on one thread the SIMD product is the faster (`bench/matmul.ts`). Splitting it
 * across threads needs threads that can read the heap, which tfjs's pool threads (C++ pthreads inside the
 * emscripten module) cannot be asked to do from JavaScript.
 *
 * How: a product is a list of tasks (batch, column panel of B, block of rows); one 32-bit word in shared memory
 * holds the task count and the next task's index, and every thread claims a task with a compare-exchange on
 * it, reads the product's parameters only after the claim succeeded (they cannot change while a task is
 * unclaimed), runs it and counts it done. The caller claims tasks too, so a helper that is asleep or slow to
 * wake delays nothing: the caller then runs every task itself. It waits only for tasks a helper has claimed.
 * Every output element is computed by one thread with the same sum as on one thread: results are bit for bit
 * the single-threaded ones. After its last task a helper spins for the next product only while products come
 * close together (twice the last gap, at most `kernelOptions.productSpinMicroseconds`: the dense layers of a
 * training step), then sleeps in `Atomics.wait` until the next product. Products under `MIN_PARALLEL`
 * multiply-adds stay on the calling thread.
 *
 * Helpers are Node `worker_threads` (unref'ed: they never keep a process alive) or, in a browser, web workers
 * from a Blob URL (a threaded backend there means a cross-origin-isolated page). Where no helper can start,
 * products run on the calling thread as before.
 * @module
 */
import { decode } from './simdUpdates.js';
import { SIMD_MATMUL_SHARED } from './simdMatMul.bytes.js';
import { kernelOptions } from './util.js';

/** Words of the control block (an Int32Array on a SharedArrayBuffer). */
const NEXT = 0; // task count << 12 | index of the next unclaimed task
const DONE = 1; // tasks finished in the current product
const GEN = 2; // products posted (helpers sleep on it)
const FAILED = 3; // 1 once a helper's task threw
const HELPED = 4; // tasks run by helpers since the start (for tests and benchmarks)
const SPIN_US = 5; // microseconds a helper spins after its last task before it sleeps
const POSTED = 6; // tasks posted since the start
const PARAMS = 8; // the product: see `Job`
const WORDS = PARAMS + 20;
/** Tasks per product at most (12 bits of NEXT); larger batched products are posted in groups of batches. */
const MAX_TASKS = 4095;

/** One product as tasks: the loop's arguments per task follow from these (byte offsets and strides). */
export interface Job {
  a: number;
  aStep: number;
  sar: number;
  sak: number;
  b: number;
  bStep: number;
  sbk: number;
  c: number;
  cStep: number;
  scr: number;
  scc: number;
  rows: number;
  k: number;
  cols: number;
  bias: number;
  flags: number;
  batches: number;
  panelWidth: number;
  chunkRows: number;
  /** Steps of k per call of the loop (k itself: one call; see `kChunkOf` in `./matMulKernels.ts`). */
  kChunk: number;
}
const JOB_KEYS: Array<keyof Job> = ['a', 'aStep', 'sar', 'sak', 'b', 'bStep', 'sbk', 'c', 'cStep', 'scr', 'scc', 'rows', 'k', 'cols', 'bias', 'flags', 'batches', 'panelWidth', 'chunkRows', 'kChunk'];

type MatMul = (a: number, sar: number, sak: number, b: number, sbk: number, c: number, scr: number, scc: number, m: number, k: number, n: number, bias: number, flags: number) => void;

/**
 * Claims and runs tasks of the posted product until none is left; returns how many this thread ran. Runs on
 * the calling thread and, as source text, in every helper: it must not refer to anything outside itself.
 */
function drain(ctl: Int32Array, matmul: MatMul): number {
  let ran = 0;
  for (;;) {
    const v = Atomics.load(ctl, 0);
    const tasks = v >>> 12;
    const t = v & 0xfff;
    if (t >= tasks) return ran;
    if (Atomics.compareExchange(ctl, 0, v, v + 1) !== v) continue;
    // Claimed: the product cannot change until this task is counted done.
    const p = 8;
    const rows = ctl[p + 11]!;
    const cols = ctl[p + 13]!;
    const panelWidth = ctl[p + 17]!;
    const chunkRows = ctl[p + 18]!;
    const rowChunks = Math.ceil(rows / chunkRows);
    const perBatch = Math.ceil(cols / panelWidth) * rowChunks;
    const batch = Math.floor(t / perBatch);
    const panel = Math.floor((t % perBatch) / rowChunks);
    const i = ((t % perBatch) % rowChunks) * chunkRows;
    const j = panel * panelWidth;
    const sar = ctl[p + 2]!;
    const sak = ctl[p + 3]!;
    const sbk = ctl[p + 6]!;
    const scr = ctl[p + 9]!;
    const scc = ctl[p + 10]!;
    const k = ctl[p + 12]!;
    const flags = ctl[p + 15]!;
    const kChunk = ctl[p + 19]!;
    try {
      // k in chunks: the bias (1) on the first, accumulate (4) on the others, relu (2) on the last.
      for (let kc = 0; kc < k; kc += kChunk) {
        matmul(
          ctl[p]! + batch * ctl[p + 1]! + i * sar + kc * sak, sar, sak,
          ctl[p + 4]! + batch * ctl[p + 5]! + 4 * j + kc * sbk, sbk,
          ctl[p + 7]! + batch * ctl[p + 8]! + i * scr + j * scc, scr, scc,
          Math.min(chunkRows, rows - i), Math.min(kChunk, k - kc), Math.min(panelWidth, cols - j), ctl[p + 14]! + 4 * j,
          (kc === 0 ? flags & 1 : 4) | (kc + kChunk >= k ? flags & 2 : 0),
        );
      }
    } catch (e) {
      Atomics.store(ctl, 3, 1);
      Atomics.add(ctl, 1, 1);
      throw e;
    }
    ran++;
    Atomics.add(ctl, 1, 1);
  }
}

/** A helper's whole life, as source text for its worker: instantiate, report, then drain products forever. */
function helperMain(data: { module: WebAssembly.Module; memory: WebAssembly.Memory; control: SharedArrayBuffer }, post: (m: string) => void, run: typeof drain): void {
  const matmul = new WebAssembly.Instance(data.module, { env: { memory: data.memory } }).exports['matmul'] as MatMul;
  const ctl = new Int32Array(data.control);
  post('ready');
  let lastEnd = 0;
  for (;;) {
    const gen = Atomics.load(ctl, 2);
    const ran = run(ctl, matmul);
    if (ran > 0) Atomics.add(ctl, 4, ran);
    // Spin for the next product only when products come close together (the dense layers of a training
    // step: twice the last gap, at most the set time); when they are far apart (convolutions between them,
    // which run on tfjs's pool and need this core) sleep at once, until GEN moves on.
    const now = performance.now();
    const gap = now - lastEnd;
    lastEnd = now;
    const limit = Atomics.load(ctl, 5) / 1000;
    const until = now + (gap < limit ? Math.min(limit, 2 * gap) : 0);
    let spins = 0;
    for (;;) {
      const v = Atomics.load(ctl, 0);
      if ((v & 0xfff) < v >>> 12) break;
      if ((++spins & 63) === 0 && performance.now() > until) {
        Atomics.wait(ctl, 2, gen);
        break;
      }
    }
  }
}

/** Starts one helper with this source and data; resolves when it reports ready. */
export type HelperFactory = (source: { node: string; browser: string }, data: object) => Promise<{ stop(): void }>;

function sources(): { node: string; browser: string } {
  const call = `(${helperMain.toString()})`;
  const run = `(${drain.toString()})`;
  return {
    node: `const { workerData, parentPort } = require('node:worker_threads');\n${call}(workerData, (m) => parentPort.postMessage(m), ${run});\n`,
    browser: `onmessage = (e) => { onmessage = null; ${call}(e.data, (m) => postMessage(m), ${run}); };\n`,
  };
}

/** Web workers from a Blob URL (browsers; the page must be cross-origin isolated for shared memory). */
const browserFactory: HelperFactory = (source, data) =>
  new Promise((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([source.browser], { type: 'text/javascript' }));
    const worker = new Worker(url);
    URL.revokeObjectURL(url);
    let ready = false;
    worker.onmessage = () => {
      ready = true;
      resolve({ stop: () => worker.terminate() });
    };
    // After it is ready a failure is reported through the control block.
    worker.onerror = (e) => {
      e.preventDefault();
      if (ready) return;
      worker.terminate();
      reject(new Error(e.message));
    };
    worker.postMessage(data);
  });

/** Node's worker_threads, as `useBackend` loads them. */
export function nodeFactory(Worker: typeof import('node:worker_threads').Worker): HelperFactory {
  return (source, data) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(source.node, { eval: true, workerData: data });
      worker.unref();
      let ready = false;
      worker.once('message', () => {
        ready = true;
        resolve({ stop: () => void worker.terminate() });
      });
      // Kept for the worker's life: after it is ready a failure is reported through the control block.
      worker.on('error', (e) => {
        if (!ready) reject(e);
      });
    });
}

/** The helpers of one wasm backend. */
interface Helpers {
  ctl: Int32Array;
  threads: number;
  /** Stops each helper; emptied (and `threads` back to 1) once they are stopped. */
  stops: Array<() => void>;
}
const helpers = new WeakMap<object, Helpers>();

/**
 * Starts `threads - 1` helpers for this wasm backend's product, once (later calls return the same count).
 * Resolves to the threads that compute a product (1 when no helper could start: a heap that is not shared,
 * no worker support); never rejects.
 */
export async function startProductHelpers(backend: unknown, threads: number, factory: HelperFactory | undefined): Promise<number> {
  const module = (backend as { wasm?: { wasmMemory?: unknown } }).wasm;
  if (!module) return 1;
  const known = helpers.get(module);
  if (known) return known.threads;
  const memory = module.wasmMemory;
  const make = factory ?? (typeof Worker === 'function' && typeof Blob === 'function' ? browserFactory : undefined);
  if (threads < 2 || !make || !(memory instanceof WebAssembly.Memory) || typeof SharedArrayBuffer === 'undefined' || !(memory.buffer instanceof SharedArrayBuffer)) return 1;
  const ctl = new Int32Array(new SharedArrayBuffer(4 * WORDS));
  const h: Helpers = { ctl, threads: 1, stops: [] };
  helpers.set(module, h);
  try {
    const data = { module: new WebAssembly.Module(decode(SIMD_MATMUL_SHARED)), memory, control: ctl.buffer };
    const source = sources();
    const started = await Promise.allSettled(Array.from({ length: threads - 1 }, () => make(source, data)));
    for (const s of started) if (s.status === 'fulfilled') h.stops.push(s.value.stop);
  } catch {
    // No helper: one thread.
  }
  h.threads = 1 + h.stops.length;
  return h.threads;
}

/** Stops this backend's helpers (after a failed product); products then run on the calling thread. */
export function stopProductHelpers(backend: unknown): void {
  const module = (backend as { wasm?: object }).wasm;
  const h = module && helpers.get(module);
  if (!h) return;
  for (const stop of h.stops) stop();
  h.stops = [];
  h.threads = 1;
}

/**
 * The threads that compute this backend's products (1 without helpers), the tasks posted to them so far and
 * how many of those the helpers ran.
 */
export function productThreads(backend: unknown): { threads: number; posted: number; helped: number } {
  const module = (backend as { wasm?: object }).wasm;
  const h = module && helpers.get(module);
  return h ? { threads: h.threads, posted: h.ctl[POSTED]!, helped: Atomics.load(h.ctl, HELPED) } : { threads: 1, posted: 0, helped: 0 };
}

/**
 * Below this many multiply-adds (~40 µs on one thread) a product runs on the calling thread: waking a helper
 * costs the caller a few µs and takes the other core from tfjs's pool (XNNPACK's convolutions) for longer.
 */
export const MIN_PARALLEL = 1 << 20;
const PANEL = 128;

/**
 * Runs the product on this backend's threads and returns true, or returns false when it should run on the
 * calling thread (no helpers, too small). Throws after a helper's task failed (a bug: the product is
 * unfinished), and uses no helper again.
 */
export function parallelProduct(backend: unknown, matmul: MatMul, job: Omit<Job, 'panelWidth' | 'chunkRows'>): boolean {
  const module = (backend as { wasm?: object }).wasm;
  const h = module && helpers.get(module);
  if (!kernelOptions.threadedMatMul || !h || h.threads < 2 || job.batches * job.rows * job.k * job.cols < MIN_PARALLEL) return false;
  const { rows, cols, batches } = job;
  const want = 2 * h.threads;
  // Column panels of B that stay in a core's cache; narrower when rows alone cannot make enough tasks.
  let panelWidth = PANEL;
  if (rows <= 4 * (want - 1) && batches * Math.ceil(cols / PANEL) < want) panelWidth = Math.max(8, 8 * Math.ceil(cols / 8 / want));
  const panels = Math.ceil(cols / panelWidth);
  const rowChunks = Math.min(Math.ceil(rows / 4), Math.max(1, Math.ceil(want / (batches * panels))));
  const chunkRows = 4 * Math.ceil(rows / 4 / rowChunks);
  const perBatch = panels * Math.ceil(rows / chunkRows);
  if (perBatch > MAX_TASKS) return false;
  const groupBatches = Math.floor(MAX_TASKS / perBatch);
  const ctl = h.ctl;
  for (let first = 0; first < batches; first += groupBatches) {
    const n = Math.min(groupBatches, batches - first);
    const full: Job = { ...job, a: job.a + first * job.aStep, b: job.b + first * job.bStep, c: job.c + first * job.cStep, batches: n, panelWidth, chunkRows };
    for (let w = 0; w < JOB_KEYS.length; w++) ctl[PARAMS + w] = full[JOB_KEYS[w]!];
    const tasks = n * perBatch;
    ctl[SPIN_US] = kernelOptions.productSpinMicroseconds;
    ctl[POSTED] += tasks;
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, NEXT, tasks << 12);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    try {
      drain(ctl, matmul);
    } catch (e) {
      // Take the unclaimed tasks off the list, wait for the helpers' running ones (they write into C), stop.
      const v = Atomics.exchange(ctl, NEXT, (tasks << 12) | tasks);
      Atomics.add(ctl, DONE, tasks - Math.min(v & 0xfff, tasks));
      while (Atomics.load(ctl, DONE) < tasks);
      stopProductHelpers(backend);
      throw e;
    }
    // Every task is claimed; wait for those a helper is running.
    while (Atomics.load(ctl, DONE) < tasks);
    if (Atomics.load(ctl, FAILED) !== 0) {
      stopProductHelpers(backend);
      throw new Error('latentkit: a helper thread of the wasm matrix product failed; products run on one thread from now on.');
    }
  }
  return true;
}
