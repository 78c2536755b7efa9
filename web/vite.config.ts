import { defineConfig } from 'vite';

/**
 * The borrower H5. Built with `npm run build:web` into web/dist and served by the API server
 * under /h5/ (src/http/routes/web.ts). JSX goes through Vite's own transform (automatic runtime),
 * so no React plugin is needed; there is no fast refresh, which a page this small does not miss.
 *
 * A build is always React's production build, with production JSX: Vite would otherwise take
 * NODE_ENV from the environment, and a build started under vitest (NODE_ENV=test, as the browser
 * test's build-if-stale does) bundled React's development build — 40% larger, and StrictMode
 * then runs every effect twice, so each page asked the API twice (the offers page ran the lenders'
 * pre-check twice).
 */
export default defineConfig(({ command }) => ({
  base: '/h5/',
  oxc: { jsx: { runtime: 'automatic', development: command !== 'build' } },
  define: command === 'build' ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {},
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2020', chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
}));
