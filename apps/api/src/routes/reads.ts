/**
 * Read routes (viewers): consumer groups, queues, the audit log.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { listAudit } from '../handlers/audit';
import { getGroup, listGroups } from '../handlers/consumer-groups';
import { listQueues } from '../handlers/queues';
import { AuditList, AuditQuery, GroupDetail, GroupList, GroupParams, PageQuery, QueueList, RangeQuery } from '../schemas';
import type { ApiEnv } from './env';
import { requireRole } from './middleware';
import { json, problems, type Services } from './services';

const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

export function registerReadRoutes(app: OpenAPIHono<ApiEnv>, s: Services): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/consumer-groups',
      tags: ['consumer groups'],
      summary: 'Consumer groups with their status and lag at the latest sweep',
      security,
      middleware: [requireRole('viewer')],
      request: { query: PageQuery },
      responses: { 200: json(GroupList, 'One page of groups, by name.'), ...problems(400, 401, 403) },
    }),
    async (c) => c.json(await listGroups(s.ctx, c.req.valid('query')), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/consumer-groups/{group}',
      tags: ['consumer groups'],
      summary: 'One consumer group: partitions, lag history and status changes over ?from&to',
      security,
      middleware: [requireRole('viewer')],
      request: { params: GroupParams, query: RangeQuery },
      responses: { 200: json(GroupDetail, 'The group.'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => c.json(await getGroup(s.ctx, { ...c.req.valid('param'), ...c.req.valid('query') }), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/queues',
      tags: ['queues'],
      summary: 'BullMQ queues: counts by state, wait and processing time, retry rate',
      security,
      middleware: [requireRole('viewer')],
      request: { query: PageQuery },
      responses: { 200: json(QueueList, 'One page of queues, by name.'), ...problems(400, 401, 403) },
    }),
    async (c) => c.json(await listQueues(s.ctx, c.req.valid('query')), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/audit',
      tags: ['audit'],
      summary: 'The audit log, newest first',
      security,
      middleware: [requireRole('viewer')],
      request: { query: AuditQuery },
      responses: { 200: json(AuditList, 'One page of audit rows.'), ...problems(400, 401, 403) },
    }),
    async (c) => c.json((await listAudit(s.ctx, c.req.valid('query'))) as never, 200),
  );
}
