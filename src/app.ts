/**
 * The composition root: builds the Express app around a database handle. No listen() here, so
 * tests drive the same app through supertest.
 */
import express, { type Express } from 'express';
import type { Knex } from 'knex';
import type { AppConfig } from './config.js';
import { isDbReadable } from './db/knex.js';
import { boardRouter } from './features/board/board.routes.js';
import { dashboardRouter } from './features/dashboard/dashboard.routes.js';
import { applyingGate } from './features/eligibility/applying-gate.js';
import { firmsRouter } from './features/firms/firms.routes.js';
import { createFirmService } from './features/firms/firms.service.js';
import { assetsRouter } from './web/assets.js';
import { currentUser } from './web/current-user.js';
import { errorHandler, notFoundHandler } from './web/error-handler.js';
import { configureViews } from './web/handlebars.js';
import { layoutLocals } from './web/locals.js';

export function createApp(db: Knex, config: Pick<AppConfig, 'production'>): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  configureViews(app, config.production);

  app.get('/healthz', async (_req, res) => {
    const ok = await isDbReadable(db);
    res.status(ok ? 200 : 503).type('text/plain').send(ok ? 'ok' : 'database unreadable');
  });
  app.use(assetsRouter(config.production));
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 200 }));

  app.use(currentUser(db));
  app.use(layoutLocals);
  app.get('/', (_req, res) => res.redirect(302, '/board'));

  const firms = createFirmService({ applyingGate });
  app.use(boardRouter(db));
  app.use(firmsRouter(db, firms));
  app.use(dashboardRouter(db));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
