export { SeedStream, setSeed, getSeed, resolveSeed, seedStream, assertSeed } from './seed.js';
