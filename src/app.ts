/**
 * The composition root: builds the Express app around a database handle. No listen() here, so
 * tests drive the same app through supertest.
 */
import express, { type Express } from 'express';
import type { Knex } from 'knex';
import type { AppConfig } from './config.js';
import { checkHealth, isReadOnly } from './db/health.js';
import { sqliteFileOf } from './db/knex.js';
import { accountsRouter } from './features/accounts/accounts.routes.js';
import { auditRouter } from './features/audit/audit.routes.js';
import { dashboardRouter } from './features/dashboard/dashboard.routes.js';
import { refreshEligibility } from './features/eligibility/eligibility.service.js';
import { reserveRouter } from './features/eligibility/reserve.routes.js';
import { figuresRouter } from './features/figures/figures.routes.js';
import { createFiguresService } from './features/figures/figures.service.js';
import { firmsRouter } from './features/firms/firms.routes.js';
import { createImportService } from './features/lists/imports.service.js';
import { listsRouter } from './features/lists/lists.routes.js';
import { overlapRouter } from './features/lists/overlap.routes.js';
import { usersRouter } from './features/users/users.routes.js';
import { coachingRouter } from './features/coaching/coaching.routes.js';
import { createCoachingService } from './features/coaching/coaching.service.js';
import { type Actor, homeOf } from './domain/actor.js';
import { parksRouter } from './features/parks/parks.routes.js';
import { targetsRouter } from './features/targets/targets.routes.js';
import { reportsRouter } from './features/reporting/reports.routes.js';
import { createParkService } from './features/parks/parks.service.js';
import { createUserService } from './features/users/users.service.js';
import { certificationsRouter } from './features/certifications/certifications.routes.js';
import { demandsRouter } from './features/demands/demands.routes.js';
import { createDemandService } from './features/demands/demands.service.js';
import { eventsRouter } from './features/events/events.routes.js';
import { coachingFiguresRouter } from './features/coaching-figures/coaching-figures.routes.js';
import { createEventService } from './features/events/events.service.js';
import { boardRouter } from './pages/board/board.routes.js';
import { readinessHintsRouter } from './pages/readiness-hints/readiness-hints.routes.js';
import { movesRouter } from './pages/board/moves.routes.js';
import { figuresSectionRenderer, firmPageRouter } from './pages/firm-page/firm-page.routes.js';
import { firmInputsRouter, inputsPageRenderer } from './pages/firm-inputs/firm-inputs.routes.js';
import { staffMonthsRouter } from './features/staff-months/staff-months.routes.js';
import { createStaffMonthsService } from './features/staff-months/staff-months.service.js';
import { complianceRouter } from './features/compliance/compliance.routes.js';
import { rdStructureRouter } from './features/rd-structure/rd-structure.routes.js';
import { createRdStructureService } from './features/rd-structure/rd-structure.service.js';
import { ipRegisterRouter } from './features/ip-register/ip-register.routes.js';
import { createIpRegisterService } from './features/ip-register/ip-register.service.js';
import { eligibilitySettingsRouter } from './features/eligibility/eligibility-settings.routes.js';
import { createComplianceService } from './features/compliance/compliance.service.js';
import { createImportRunner } from './jobs/import-steps.js';
import { createCoreServices } from './services.js';
import { assetsRouter } from './web/assets.js';
import { loadActor, requireLogin, requirePasswordChosen, requirePermission } from './web/auth.js';
import { csrfProtection, originCheck } from './web/csrf.js';
import { errorHandler, notFoundHandler } from './web/error-handler.js';
import { formKeyLocals, formKeyReplay, repeatedSubmitHandler } from './web/form-keys.js';
import { configureViews } from './web/handlebars.js';
import { layoutLocals } from './web/locals.js';
import { auditRefusals } from './web/refusal-audit.js';
import { type BurstPolicy, SEARCH_POLICY, burstLimit } from './web/burst-limit.js';
import { formBodies, inputGuard } from './web/request-input.js';
import { requestLog } from './web/request-log.js';
import { securityHeaders } from './web/security-headers.js';
import { createSessionStore, sessionMiddleware } from './web/session.js';

export type AppOptions = Pick<
  AppConfig,
  'production' | 'trustProxy' | 'cookieSecure' | 'sessionIdleMinutes' | 'sessionAbsoluteHours' | 'publicOrigin' | 'uploadDir'
> & {
  sessionSecret: string;
  /** The per-user limit on search and list pages (web/burst-limit.ts); null turns it off (the benchmark's capacity runs). */
  searchRateLimit?: BurstPolicy | null;
};

export function createApp(db: Knex, config: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', config.trustProxy);
  configureViews(app, config.production);
  app.use(requestLog());
  app.use(securityHeaders({ hsts: config.cookieSecure === true }));

  // Public: health, assets, login.
  const dbFile = sqliteFileOf(db);
  app.get('/healthz', async (_req, res) => {
    const health = await checkHealth(db, dbFile);
    res.status(health.ok ? 200 : 503).type('text/plain').send(health.reason);
  });
  // Every page says so while the server runs on a read-only database (views/layouts/main.hbs).
  app.locals.readOnly = isReadOnly(db);
  app.use(assetsRouter(config.production));

  const sessionStore = createSessionStore(db, config);
  app.locals.sessionStore = sessionStore;
  app.use(formBodies, inputGuard);
  app.use(sessionMiddleware(sessionStore, config.sessionSecret, config));
  app.use(originCheck(config.publicOrigin));
  app.use(csrfProtection);
  app.use(loadActor(db));
  app.use(layoutLocals);
  app.use(formKeyLocals, formKeyReplay(db));
  app.use(accountsRouter(db, sessionStore, { sessionAbsoluteHours: config.sessionAbsoluteHours, sessionSecret: config.sessionSecret }));

  // Everything below needs a signed-in user who has chosen their own password.
  app.use(requireLogin, requirePasswordChosen);
  if (config.searchRateLimit !== null) app.use(burstLimit(db, config.searchRateLimit ?? SEARCH_POLICY));
  app.get('/', (_req, res) => res.redirect(302, homeOf(res.locals.actor as Actor)));
  app.use(requirePermission('firms.read'));
  const services = createCoreServices();
  const { firms } = services;
  const importRunner = createImportRunner(db, services);
  app.locals.importRunner = importRunner;
  app.use(boardRouter(db));
  app.use(figuresRouter(db, createFiguresService({ refreshEligibility }), figuresSectionRenderer(db)));
  app.use(firmsRouter(db, firms));
  app.use(firmPageRouter(db));
  // Eligibility inputs (issue 12): the inputs page and the features that write to it.
  app.use(firmInputsRouter(db));
  app.use(staffMonthsRouter(db, createStaffMonthsService({ refreshEligibility }), inputsPageRenderer(db)));
  app.use(complianceRouter(db, createComplianceService({ refreshEligibility }), inputsPageRenderer(db)));
  app.use(eligibilitySettingsRouter(db, refreshEligibility, inputsPageRenderer(db)));
  app.use(ipRegisterRouter(db, createIpRegisterService({ refreshEligibility }), inputsPageRenderer(db)));
  app.use(rdStructureRouter(db, createRdStructureService({ refreshEligibility }), inputsPageRenderer(db)));
  app.use(movesRouter(db, firms));
  app.use(listsRouter(db, createImportService(importRunner, config.uploadDir), importRunner, config.uploadDir));
  app.use(overlapRouter(db, firms));
  app.use(dashboardRouter(db));
  app.use(readinessHintsRouter(db));
  app.use(reserveRouter(db));
  app.use(usersRouter(db, createUserService(sessionStore)));
  app.use(auditRouter(db));
  app.use(parksRouter(db, createParkService()));
  // coaching-core (issue 9)
  app.use(coachingRouter(db, createCoachingService()));
  app.use(certificationsRouter(db, services.certifications));
  // Coaching: technical demands, events, leaders' figures (issue 9, branch events-demands).
  app.use(demandsRouter(db, createDemandService()));
  app.use(eventsRouter(db, createEventService()));
  app.use(coachingFiguresRouter(db));
  // reports (issue 10: targets, the annual report)
  app.use(targetsRouter(db));
  app.use(reportsRouter(db));

  app.use(notFoundHandler);
  app.use(auditRefusals(db));
  app.use(repeatedSubmitHandler(db));
  app.use(errorHandler);
  return app;
}
