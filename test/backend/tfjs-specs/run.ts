/**
 * Runs TensorFlow.js 4.22's own op specs against the wasm backend twice, with tfjs's own kernels and with
 * latentkit's (the built `dist/`), and reports the pass counts and every spec whose outcome differs. A
 * measurement, not part of `npm test`: it needs a tfjs checkout and the jasmine 3 runner, neither of which
 * latentkit depends on. No tfjs code is copied here: the specs are bundled from the checkout at run time, with
 * their imports of tfjs-core's source redirected to the installed package and a small stand-in for tfjs's
 * jasmine_util (one environment: wasm, synchronous data).
 *
 *   git clone --branch tfjs-v4.22.0 https://github.com/tensorflow/tfjs /path/to/tfjs
 *   npm install --prefix /tmp/jasmine3 jasmine@3.10.0
 *   npm run build
 *   npx tsx test/backend/tfjs-specs/run.ts --tfjs /path/to/tfjs --jasmine /tmp/jasmine3 [--files conv2d,sum] [--list-failures]
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

/** The op spec files of tfjs-core that exercise the kernels latentkit adds or replaces. */
const SPEC_FILES = [
  'conv2d',
  'conv2d_transpose',
  'conv1d',
  'conv2d_separable',
  'depthwise_conv2d',
  'fused/fused_conv2d',
  'fused/fused_depthwise_conv2d',
  'fused/fused_mat_mul',
  'mat_mul',
  'sum',
  'mean',
  'moments',
  'batchnorm',
  'max_pool',
  'avg_pool',
  'pool',
  'unsorted_segment_sum',
  'gather',
  'image/resize_nearest_neighbor',
];

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const tfjsDir = opt('tfjs');
const jasmineDir = opt('jasmine');
if (!tfjsDir || !jasmineDir) {
  console.error('usage: npx tsx test/backend/tfjs-specs/run.ts --tfjs <tfjs checkout> --jasmine <dir holding node_modules/jasmine> [--files a,b]');
  process.exit(2);
}
const files = opt('files')?.split(',') ?? SPEC_FILES;
const root = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);
const wasmDist = require.resolve('@tensorflow/tfjs-backend-wasm/package.json').replace(/package\.json$/, 'dist/');
const work = mkdtempSync(join(tmpdir(), 'tfjs-specs-'));

// Stand-ins for the tfjs-core source modules the specs import (written as CommonJS next to the bundles).
writeFileSync(
  join(work, 'jasmine_util.cjs'),
  `const tf = require('@tensorflow/tfjs-core');
const testEnv = { name: 'wasm', backendName: 'wasm', isDataSync: true, flags: {} };
exports.ALL_ENVS = {};
exports.NODE_ENVS = { predicate: () => tf.env().platformName === 'node' };
exports.BROWSER_ENVS = { predicate: () => tf.env().platformName === 'browser' };
exports.CHROME_ENVS = { flags: { IS_CHROME: true } };
exports.SYNC_BACKEND_ENVS = { predicate: (e) => e.isDataSync === true };
function satisfies(c) {
  if (c == null) return true;
  for (const [k, v] of Object.entries(c.flags ?? {})) if (tf.env().get(k) !== v) return false;
  return c.predicate == null || c.predicate(testEnv);
}
exports.describeWithFlags = (name, constraints, tests) => {
  tf.env().set('IS_TEST', true);
  if (!satisfies(constraints)) return;
  describe(name + ' wasm', () => {
    beforeAll(async () => { tf.engine().reset(); tf.env().set('IS_TEST', true); await tf.setBackend('wasm'); });
    beforeEach(() => tf.engine().startScope());
    afterEach(() => { tf.engine().endScope(); tf.engine().disposeVariables(); });
    afterAll(() => tf.engine().reset());
    tests(testEnv);
  });
};
`,
);
writeFileSync(join(work, 'test_util.cjs'), `module.exports = require('@tensorflow/tfjs-core').test_util;\n`);
writeFileSync(join(work, 'reduce_util.cjs'), `module.exports = require('@tensorflow/tfjs-core').backend_util;\n`);

const redirect: esbuild.Plugin = {
  name: 'tfjs-source-to-package',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (a) => {
      const name = basename(a.path);
      if (name === 'index' || name === 'types') return { path: '@tensorflow/tfjs-core', external: true };
      if (['jasmine_util', 'test_util', 'reduce_util'].includes(name)) return { path: join(work, `${name}.cjs`), external: true };
      return undefined;
    });
  },
};

const bundles: string[] = [];
for (const f of files) {
  const outfile = join(work, `${f.replace('/', '__')}_spec.cjs`);
  await esbuild.build({
    entryPoints: [join(tfjsDir, 'tfjs-core', 'src', 'ops', `${f}_test.ts`)],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile,
    external: ['@tensorflow/*'],
    plugins: [redirect],
    logLevel: 'error',
  });
  bundles.push(outfile);
}

// One child process per mode: a fresh tfjs engine and kernel registry each.
writeFileSync(
  join(work, 'runner.cjs'),
  `const [mode, jasmineDir, latentkit, wasmDist, ...specs] = process.argv.slice(2);
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-layers'); // registers the gradients
require('@tensorflow/tfjs-backend-wasm').setWasmPaths(wasmDist);
// The specs call some ops as tensor methods: tfjs's chained-op registration is not reachable from Node's bundle.
for (const [name, fn] of [...Object.entries(tf), ...Object.entries(tf.image)]) {
  if (typeof fn === 'function' && /^[a-z]/.test(name) && !(name in tf.Tensor.prototype)) {
    tf.Tensor.prototype[name] = function (...a) { return fn(this, ...a); };
  }
}
if (mode === 'latentkit') {
  const lk = require(latentkit);
  lk.ensureTrainingKernels('wasm');
  const off = lk.latentkitKernels().filter((k) => k.backend === 'wasm' && !k.active);
  if (off.length) throw new Error('not installed: ' + off.map((k) => k.kernel));
}
const Jasmine = require(jasmineDir + '/node_modules/jasmine');
const j = new Jasmine();
j.exitOnCompletion = false;
j.loadConfig({ spec_files: specs, random: false });
const results = [];
j.env.clearReporters();
j.addReporter({ specDone: (r) => results.push({ name: r.fullName, status: r.status, message: (r.failedExpectations[0] || {}).message }) });
j.execute().then(() => { process.stdout.write('\\n@@RESULTS@@' + JSON.stringify(results)); process.exit(0); });
`,
);

interface Result {
  name: string;
  status: string;
  message?: string;
}

function run(mode: 'stock' | 'latentkit', spec: string): Result[] {
  const out = execFileSync(process.execPath, [join(work, 'runner.cjs'), mode, jasmineDir!, join(root, 'dist', 'index.cjs'), wasmDist, spec], {
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out.slice(out.indexOf('@@RESULTS@@') + '@@RESULTS@@'.length)) as Result[];
}

const totals = { stock: { passed: 0, failed: 0 }, latentkit: { passed: 0, failed: 0 } };
const fixed: string[] = [];
const broken: string[] = [];
const failing: string[] = [];
console.log('| spec file | specs | stock wasm passes | with latentkit passes |\n| --- | --- | --- | --- |');
for (const [i, bundle] of bundles.entries()) {
  const stock = run('stock', bundle);
  const lk = run('latentkit', bundle);
  const count = (rs: Result[]) => rs.filter((r) => r.status === 'passed').length;
  const byName = new Map(stock.map((r) => [r.name, r.status]));
  for (const r of lk) {
    if (r.status === 'failed') failing.push(`${r.name}: ${(r.message ?? '').split('\n')[0]!.slice(0, 160)}`);
    const before = byName.get(r.name);
    if (before === 'passed' && r.status === 'failed') broken.push(r.name);
    if (before === 'failed' && r.status === 'passed') fixed.push(r.name);
  }
  for (const [mode, rs] of [['stock', stock], ['latentkit', lk]] as const) {
    totals[mode].passed += count(rs);
    totals[mode].failed += rs.filter((r) => r.status === 'failed').length;
  }
  console.log(`| ${files[i]} | ${lk.filter((r) => r.status !== 'excluded').length} | ${count(stock)} | ${count(lk)} |`);
}
console.log(`| all | ${totals.latentkit.passed + totals.latentkit.failed} | ${totals.stock.passed} | ${totals.latentkit.passed} |`);
console.log(`\nfixed by latentkit (${fixed.length}):\n  ${fixed.join('\n  ')}`);
console.log(`\nbroken by latentkit (${broken.length}):\n  ${broken.join('\n  ')}`);
if (args.includes('--list-failures')) console.log(`\nfailing with latentkit (${failing.length}):\n  ${failing.join('\n  ')}`);
rmSync(work, { recursive: true, force: true });
