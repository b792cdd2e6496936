import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export interface WebUiOptions {
  /** The built UI (web/dist): index.html and assets/. */
  root: string;
  /**
   * Who may frame the UI (CSP frame-ancestors sources, e.g. `https://console.example.com`). Default: nobody.
   * A host platform that embeds the log adds its origin here.
   */
  frameAncestors?: string[];
}

/**
 * The client-side routes of the single-page app. Each answers index.html; everything else outside these,
 * notably /v1, /healthz, /metrics and /openapi.json, keeps its own routes and the JSON 404.
 */
export const CLIENT_ROUTES = [
  '/',
  '/sign-in',
  '/audit',
  '/audit/*',
  '/auth',
  '/auth/*',
  '/admin/*',
  '/destinations',
] as const;

/** The API reference page (Scalar's bundle, built into web/dist/api-reference by web/vite.config.ts). */
export const API_REFERENCE_ROUTE = '/api-reference';

/**
 * The Content-Security-Policy of every page and asset: same-origin code only, no inline script, no eval. The
 * API reference page alone may use inline styles, which Scalar's bundle injects (still no inline script).
 */
export function contentSecurityPolicy(frameAncestors: string[] = [], inlineStyles = false): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    inlineStyles ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}

/**
 * Serves the web UI at `/`: hashed assets cached for a year, index.html never cached, and every response
 * of this plugin with a strict CSP, `nosniff` and `no-referrer`. Its routes are public (the UI signs in
 * with a token against /v1 itself). When the UI is not built, the client routes answer 503 with a hint
 * instead of failing the server: the API stays usable.
 */
export async function registerWebUi(app: FastifyInstance, options: WebUiOptions): Promise<void> {
  const csp = contentSecurityPolicy(options.frameAncestors);
  const referenceCsp = contentSecurityPolicy(options.frameAncestors, true);
  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), scope: 'public' };
    });
    scope.addHook('onSend', async (request, reply, payload) => {
      const reference = request.url.startsWith(API_REFERENCE_ROUTE);
      reply.header('content-security-policy', reference ? referenceCsp : csp);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('cross-origin-opener-policy', 'same-origin');
      return payload;
    });

    if (!existsSync(join(options.root, 'index.html'))) {
      scope.log.warn({ root: options.root }, 'web UI not built; run `npm run build`');
      for (const url of [...CLIENT_ROUTES, API_REFERENCE_ROUTE]) {
        scope.get(url, { config: { scope: 'public' }, schema: { hide: true } }, async (_request, reply) =>
          reply.code(503).type('text/plain').send('The web UI is not built. Run `npm run build`.\n'),
        );
      }
      return;
    }

    await scope.register(fastifyStatic, {
      root: options.root,
      prefix: '/',
      wildcard: false,
      index: false,
      cacheControl: false,
      setHeaders: (reply, path) => {
        const hashed = /[\\/]assets[\\/]/.test(path);
        reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    for (const url of CLIENT_ROUTES) {
      scope.get(url, { config: { scope: 'public' }, schema: { hide: true } }, async (_request, reply) =>
        reply.sendFile('index.html'),
      );
    }
    scope.get(
      API_REFERENCE_ROUTE,
      { config: { scope: 'public' }, schema: { hide: true } },
      async (_r, reply) => reply.sendFile('api-reference/index.html'),
    );
  });
}

/** web/dist of the package this module belongs to, whether it runs from src/ (tsx, vitest) or dist/. */
export function defaultWebRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && isAuditlogPackage(pkg)) return join(dir, 'web', 'dist');
    const parent = dirname(dir);
    if (parent === dir) return join(process.cwd(), 'web', 'dist');
    dir = parent;
  }
}

function isAuditlogPackage(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'auditlog';
  } catch {
    return false;
  }
}
