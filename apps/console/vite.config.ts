import preact from '@preact/preset-vite';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** The console: built into dist/console, which the API serves at `/`. */
export default defineConfig({
  root: __dirname,
  plugins: [preact()],
  build: {
    outDir: resolve(__dirname, '../../dist/console'),
    emptyOutDir: true,
    target: 'es2020',
    reportCompressedSize: false,
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000', '/health': 'http://127.0.0.1:3000' } },
});
