/**
 * The web UI's build: Preact through esbuild's automatic JSX (no Babel),
 * served by the REST API's process under /ui/ from dist/ui (src/nbi/ui-assets.ts).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/ui/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The first page is ~46 KB gzipped (budget 300 KB); the largest chunk, loaded only when a value has no cached
    // type, is the BBF data models' type table (~210 KB, ~42 KB gzipped). The script editor's CodeMirror chunk
    // (~450 KB, ~150 KB gzipped) loads only on the presets and provisions editor.
    chunkSizeWarningLimit: 500,
  },
  logLevel: 'warn',
});
