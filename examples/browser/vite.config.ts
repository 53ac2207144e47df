/**
 * The browser demo's build (`npm run demo:browser`): Vite, from this folder, into `out/browser-demo/`,
 * served on 127.0.0.1 with the two headers that make the page cross-origin isolated (wasm threads).
 * The digits asset is made from the `mnist` package before each build or dev start.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { writeDigitsAsset } from './digitsAsset.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const publicDir = fileURLToPath(new URL('../../out/browser-demo-public/', import.meta.url));
const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Writes `digits.bin` / `digits.json` into the public folder (generated, not committed). */
function digitsAsset(): Plugin {
  return {
    name: 'latentkit-demo:digits',
    async buildStart() {
      await writeDigitsAsset(publicDir);
    },
  };
}

export default defineConfig({
  root: here,
  publicDir,
  plugins: [digitsAsset()],
  server: { host: '127.0.0.1', headers },
  preview: { host: '127.0.0.1', port: 5180, headers },
  build: { outDir: fileURLToPath(new URL('../../out/browser-demo/', import.meta.url)), emptyOutDir: true },
});
