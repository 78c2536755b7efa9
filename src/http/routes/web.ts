import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { AppError } from '../../shared/errors.ts';

/** Where `npm run build:web` puts the borrower H5 (vite build into web/dist). */
export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

export const H5_PREFIX = '/h5';

/** Path segments of letters, digits, `_`, `-` and inner dots, never starting with a dot. */
const ASSET_PATH = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}(\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}){0,4}$/;

export interface WebRouteOptions {
  /** The built H5; defaults to web/dist of this checkout. */
  readonly distDir?: string;
}

/**
 * Serves the borrower H5 under /h5/: hashed assets with a year of caching, and index.html (never
 * cached) for every other /h5/* path so the app's own router can show the page. Nothing outside
 * /h5 is touched, so /api, /open and /docs keep their routes and their 404s. Without a build the
 * H5 answers 503 saying how to build it, and the API still starts.
 */
export const webRoutes =
  (options: WebRouteOptions = {}): FastifyPluginAsync =>
  async (app) => {
    const root = options.distDir ?? DEFAULT_WEB_DIST;
    const built = existsSync(`${root}/index.html`);
    if (built) await app.register(fastifyStatic, { root, serve: false });

    // Page loads are not logged at info: a host app may put its one-time sign-in token in the
    // query string (/h5/?channel=…&token=…), and request logs would keep it.
    const hide = { schema: { hide: true }, logLevel: 'warn' } as const;
    const notBuilt = () => {
      throw new AppError('UNAVAILABLE', 'The borrower H5 is not built: run `npm run build:web`.');
    };

    app.get<{ Params: { '*': string } }>(
      `${H5_PREFIX}/assets/*`,
      hide,
      async function serveAsset(request, reply) {
        if (!built) return notBuilt();
        const file = request.params['*'];
        // Built assets are plain names (index-Kw_Du2xP.js): anything else — `..`, a backslash, a NUL,
        // an encoded separator, a dot file — names no asset, and never reaches the file system.
        if (!ASSET_PATH.test(file)) throw new AppError('NOT_FOUND', 'No such asset.');
        return reply.sendFile(`assets/${file}`, { maxAge: '365d', immutable: true });
      },
    );

    const index = async function serveIndex(_request: unknown, reply: FastifyReply) {
      if (!built) return notBuilt();
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html', { cacheControl: false });
    };
    app.get(H5_PREFIX, hide, index);
    app.get(`${H5_PREFIX}/*`, hide, index);
  };
