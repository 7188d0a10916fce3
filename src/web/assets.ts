/**
 * Every script, style and font is served by the app itself: bureau networks have no internet.
 * Vendor files are served straight from node_modules by an explicit list, so nothing else there
 * is reachable.
 *
 * Scripts and styles keep the same URL across upgrades, so a browser must revalidate them (ETag,
 * an empty 304 when unchanged) rather than keep a day-old app.js to run against new HTML.
 */
import path from 'node:path';
import express, { type Router } from 'express';
import { NODE_MODULES_DIR, PUBLIC_DIR } from '../paths.js';

const VENDOR_FILES: Record<string, string> = {
  'htmx.min.js': 'htmx.org/dist/htmx.min.js',
  'sortable.min.js': 'sortablejs/Sortable.min.js',
  'chart.umd.min.js': 'chart.js/dist/chart.umd.min.js',
};

const REVALIDATE = 'no-cache';

export function assetsRouter(production: boolean): Router {
  const router = express.Router();
  for (const [name, modulePath] of Object.entries(VENDOR_FILES)) {
    const file = path.join(NODE_MODULES_DIR, modulePath);
    router.get(`/vendor/${name}`, (_req, res) => {
      res.type('application/javascript').sendFile(file, { cacheControl: false, headers: { 'Cache-Control': REVALIDATE } });
    });
  }
  // Mounted per folder, not at the root: otherwise every page request would first stat a file.
  for (const dir of ['css', 'js']) {
    router.use(
      `/${dir}`,
      express.static(path.join(PUBLIC_DIR, dir), { cacheControl: false, index: false, dotfiles: 'ignore', setHeaders: (res) => res.setHeader('Cache-Control', REVALIDATE) }),
    );
  }
  // Images (the favicon) may be a day stale without harm.
  router.use('/img', express.static(path.join(PUBLIC_DIR, 'img'), { maxAge: production ? '1d' : 0, index: false, dotfiles: 'ignore' }));
  return router;
}
