import { defineConfig } from 'vite';

/**
 * The borrower H5. Built with `npm run build:web` into web/dist and served by the API server
 * under /h5/ (src/http/routes/web.ts). JSX goes through Vite's own transform (automatic runtime),
 * so no React plugin is needed; there is no fast refresh, which a page this small does not miss.
 */
export default defineConfig({
  base: '/h5/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2020', chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
