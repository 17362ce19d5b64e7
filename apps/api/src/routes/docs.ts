/**
 * The OpenAPI document (GET /api/openapi.json), a self-contained docs page generated from it (GET /api/docs: no
 * script, no CDN, nothing fetched), and GET /metrics for Prometheus.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from './env';
import { json, type Services } from './services';

/** The document's header. */
export const OPENAPI_INFO = {
  openapi: '3.0.3',
  info: { title: 'Switchyard API', version: '1.0.0', description: 'Operations control plane: reads, live feed, operator actions, tokens and audit.' },
};

const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string }>;
  security?: unknown[];
}

/** Renders the docs page from an OpenAPI document. */
export function renderDocs(doc: { info: { title: string; version: string; description?: string }; paths?: Record<string, Record<string, Operation>> }): string {
  const rows: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      const params = (op.parameters ?? []).map((p) => `<code>${esc(p.in)}:${esc(p.name)}${p.required ? '*' : ''}</code>`).join(' ');
      const responses = Object.entries(op.responses ?? {}).map(([code, r]) => `<li><b>${esc(code)}</b> ${esc(r.description)}</li>`).join('');
      rows.push(
        `<section><h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>` +
          `<p>${esc(op.summary)}</p>${op.description ? `<p class="d">${esc(op.description)}</p>` : ''}` +
          `${params ? `<p>Parameters: ${params}</p>` : ''}${op.requestBody ? '<p>Body: application/json (see the document for the schema)</p>' : ''}` +
          `<ul>${responses}</ul></section>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<style>body{font:14px system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}section{border-top:1px solid #ddd;padding:.4em 0}
h3{margin:.4em 0;font-size:15px}.m{display:inline-block;min-width:4.5em;font-weight:700}.get{color:#0a6}.put{color:#a60}.post{color:#06a}.delete{color:#a00}.d{color:#555}code{background:#f4f4f4;padding:0 .2em}</style>
</head><body><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3). Errors are <code>application/problem+json</code> with a stable <code>code</code>.</p>
${rows.join('\n')}</body></html>`;
}

export function registerDocRoutes(app: OpenAPIHono<ApiEnv>, s: Services): void {
  const document = () => app.getOpenAPIDocument(OPENAPI_INFO);
  app.openapi(
    createRoute({ method: 'get', path: '/api/openapi.json', tags: ['meta'], summary: 'This OpenAPI document', responses: { 200: json(z.object({}).passthrough(), 'The document.') } }),
    (c) => c.json(document() as never, 200),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/api/docs', tags: ['meta'], summary: 'The API reference as a self-contained HTML page', responses: { 200: { description: 'HTML.', content: { 'text/html': { schema: z.string() } } } } }),
    (c) => {
      c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      return c.html(renderDocs(document() as never)) as never;
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/metrics', tags: ['meta'], summary: 'Prometheus metrics (text exposition format)', responses: { 200: { description: 'Metrics.', content: { 'text/plain': { schema: z.string() } } } } }),
    async (c) => c.body(await s.registry.metrics(), 200, { 'Content-Type': s.registry.contentType }) as never,
  );
}
