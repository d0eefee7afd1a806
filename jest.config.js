// ESM jest (the kubernetes-models schema packages are ESM-only): `npm test` runs node with
// --experimental-vm-modules; @swc/jest strips types without type-checking (`npm run typecheck` does that).
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
  setupFiles: ['<rootDir>/test/support/setup.ts'],
  testTimeout: 60000,
};
