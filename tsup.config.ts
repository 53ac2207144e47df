import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // import.meta.url (used to find the wasm binaries in Node) in the CommonJS build too.
  shims: true,
  target: 'node20',
  // tfjs and the data packages stay external: the consumer's copies are the ones that hold the backend.
  external: [/^@tensorflow\//, 'seedrandom', 'cli-progress', 'mnist'],
});
