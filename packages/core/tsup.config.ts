import { copyFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/node.ts', 'src/internal.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
  // The receipt JSON Schema also ships as a file, for validators in other languages.
  onSuccess: async () => {
    copyFileSync('src/receipt/receipt-v1.schema.json', 'dist/receipt-v1.schema.json');
  },
});
