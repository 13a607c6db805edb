import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/batch.ts', 'src/internal.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
});
