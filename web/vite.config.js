// Vite build of the UI into dist/app (embedded by the Go binary, see
// docs/ui.md). `npm run dev` proxies the API to a local riskgraph demo.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 800,
    // Two pages: the UI, and the API reference (/api/docs, Swagger UI),
    // whose code stays out of the UI's chunks.
    rollupOptions: {
      input: { main: 'index.html', apidocs: 'api-docs.html' },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/ui/session': 'http://127.0.0.1:8080',
    },
  },
});
