import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where the built console is: dist/console beside the compiled API (dist/apps/api/src/console),
 * or under the working directory when the API runs from source (the tests).
 */
export function consoleDir(): string | undefined {
  const candidates = [
    resolve(__dirname, '..', '..', '..', '..', 'console'),
    resolve(process.cwd(), 'dist', 'console'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/** Pages may load only the console's own files and talk only to this API. */
const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Serves the web console (apps/console, built by `npm run build`) at `/`: index.html and its
 * hashed assets; the API routes, `/docs` and `/health` stay where they are, and a path that is
 * neither a file nor a route stays a 404 problem. Without a build nothing is served here.
 */
export async function serveConsole(app: NestFastifyApplication): Promise<boolean> {
  const root = consoleDir();
  if (!root) return false;
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: 'index.html',
    cacheControl: false,
    setHeaders(reply, path) {
      // Hashed file names change with their content: cache them; the page itself never.
      if (path.includes(join('assets', '')))
        void reply.header('cache-control', 'public, max-age=31536000, immutable');
      void reply.header('content-security-policy', CONSOLE_CSP);
      void reply.header('referrer-policy', 'no-referrer');
    },
  });
  return true;
}
