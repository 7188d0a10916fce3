/**
 * Every script, style and font is served by the app itself: bureau networks have no internet.
 * Vendor files are served straight from node_modules by an explicit list, so nothing else there
 * is reachable.
 */
import path from 'node:path';
import express, { type Router } from 'express';
import { NODE_MODULES_DIR, PUBLIC_DIR } from '../paths.js';

const VENDOR_FILES: Record<string, string> = {
  'htmx.min.js': 'htmx.org/dist/htmx.min.js',
  'sortable.min.js': 'sortablejs/Sortable.min.js',
  'chart.umd.min.js': 'chart.js/dist/chart.umd.min.js',
};

export function assetsRouter(production: boolean): Router {
  const router = express.Router();
  const maxAge = production ? '1d' : 0;
  for (const [name, modulePath] of Object.entries(VENDOR_FILES)) {
    const file = path.join(NODE_MODULES_DIR, modulePath);
    router.get(`/vendor/${name}`, (_req, res) => {
      res.type('application/javascript').sendFile(file, { maxAge });
    });
  }
  // Mounted per folder, not at the root: otherwise every page request would first stat a file.
  for (const dir of ['css', 'js', 'img']) {
    router.use(`/${dir}`, express.static(path.join(PUBLIC_DIR, dir), { maxAge, index: false, dotfiles: 'ignore' }));
  }
  return router;
}
