/**
 * Suite `quality`: results you can cite, each beside a PyTorch peer trained the same way from the same
 * initial weights, and beside the published figure where there is one. Each case is resumable (a
 * checkpoint after every epoch in `bench/results/quality/state/`, git-ignored: run the same command again
 * after an interruption), shows a progress bar on a terminal (a line per epoch otherwise), and writes its
 * figures and pictures to `bench/results/quality/`; the README's "Reproduced results" table is generated from
 * them (`bench/quality/readme.ts`).
 *
 *   npm run bench -- quality                         # every case, one process (wasm, 2 threads)
 *   npm run bench -- quality --cases exercise8       # some cases: vae, convAE, exercise8
 *   npm run bench -- quality --threads 1             # on one wasm thread (faster on a busy machine)
 *   nohup npm run bench -- quality --cases vae > vae.log 2>&1 &   # the long one, in the background
 *
 * Cases (times on this 2-core machine, shared, see the README):
 * - `exercise8` (minutes): the course's exercise 8 exactly (bench/quality/exercise8.ts).
 * - `convAE` (about an hour): the recommended conv autoencoder on the full MNIST (bench/quality/convAE.ts).
 * - `vae` (hours): pythae's VAE, test NLL with 200 importance samples (bench/quality/vae.ts).
 * The quick run (`npm run bench -- --quick`, in CI) runs every case on a few hundred digits for one or two
 * epochs into `bench/results/quick/quality/`: it checks the machinery (training, checkpoints, the peer, the
 * pictures, the table), not the figures.
 */
import type { QualityRow, Suite, SuiteContext, SuiteResult } from '../lib/harness.js';
import type { CaseResult } from '../quality/common.js';
import { convAECase } from '../quality/convAE.js';
import { exercise8Case } from '../quality/exercise8.js';
import { CASES, updateReadme } from '../quality/readme.js';
import { vaeCase } from '../quality/vae.js';

const RUN: Record<(typeof CASES)[number], (ctx: SuiteContext) => Promise<CaseResult>> = { exercise8: exercise8Case, convAE: convAECase, vae: vaeCase };
// Shortest first, so that a full run has its quick figures early.
const ORDER = ['exercise8', 'convAE', 'vae'] as const;

export default {
  name: 'quality',
  title: 'Reproduced results: exercise 8 exactly, the recommended conv AE, pythae\'s VAE NLL; each beside a PyTorch peer',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const unknown = (ctx.cases ?? []).filter((c) => !(CASES as readonly string[]).includes(c));
    if (unknown.length) throw new Error(`quality: unknown case(s) ${unknown.join(', ')}; known: ${CASES.join(', ')}`);
    const chosen = ORDER.filter((c) => !ctx.cases || ctx.cases.includes(c));
    const out: SuiteResult = { settings: { cases: chosen }, measurements: [], speed: [], quality: [], notes: [] };
    for (const name of chosen) {
      ctx.log(`quality: case ${name}`);
      const r = await RUN[name](ctx);
      for (const row of r.rows) {
        const q: QualityRow = { key: `quality-${name}`, model: row.model, threads: r.threads, metric: row.metric, latentkit: Number.parseFloat(row.latentkit), peer: Number.parseFloat(row.peer), note: `${r.status}; published: ${row.published}` };
        out.quality.push({ ...q, latentkit: Number.isFinite(q.latentkit) ? q.latentkit : null, peer: Number.isFinite(q.peer ?? NaN) ? q.peer : null });
      }
      out.notes.push(`${name} (${r.status}): ${r.rows.map((row) => `${row.metric}: latentkit ${row.latentkit}, PyTorch ${row.peer}`).join('; ')}. ${r.notes.join(' ')}`);
    }
    if (!ctx.quick) ctx.log(updateReadme() ? 'quality: README table updated' : 'quality: README table unchanged');
    return out;
  },
} satisfies Suite;
