import { defineConfig } from 'tsup';

export default defineConfig({
  // The public entry, the advanced subpath, and the two sides of the platform split (see
  // src/core/environment.ts): package.json's `imports` maps `#platform` to platform/node under Node's
  // `node` condition and to platform/browser everywhere else.
  entry: {
    index: 'src/index.ts',
    advanced: 'src/advanced.ts',
    'platform/node': 'src/platform/node.ts',
    'platform/browser': 'src/platform/browser.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // One copy of the library's state (seed, kind registry, custom layers) shared by both entries, in
  // CommonJS too.
  splitting: true,
  // import.meta.url (used to find the wasm binaries in Node) in the CommonJS build too.
  shims: true,
  target: 'node20',
  // tfjs and the data packages stay external: the consumer's copies are the ones that hold the backend.
  // `#platform` is resolved by the consumer's runtime or bundler through package.json's `imports`.
  external: [/^@tensorflow\//, 'seedrandom', 'cli-progress', 'mnist', '#platform'],
});
