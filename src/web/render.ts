import type { Request, Response } from 'express';

/**
 * One URL answers a full page to a browser and a fragment to htmx. Boosted navigation and history
 * restores need the full page, so they are not fragment requests.
 */
export function isFragmentRequest(req: Request): boolean {
  return (
    req.get('HX-Request') === 'true' &&
    req.get('HX-Boosted') !== 'true' &&
    req.get('HX-History-Restore-Request') !== 'true'
  );
}

/** Render the page, or only its fragment (a partial the page also includes) for htmx. */
export function renderPageOrFragment(
  req: Request,
  res: Response,
  page: string,
  fragment: string,
  data: Record<string, unknown>,
  status = 200,
): void {
  res.vary('HX-Request').status(status);
  if (isFragmentRequest(req)) res.render(`partials/${fragment}`, { ...data, layout: false });
  else res.render(page, data);
}

export function renderFragment(res: Response, fragment: string, data: Record<string, unknown>, status = 200): void {
  res.vary('HX-Request').status(status).render(`partials/${fragment}`, { ...data, layout: false });
}

/** After a successful write: htmx follows HX-Location/Redirect, a plain form gets 303 (PRG). */
export function redirectAfterWrite(req: Request, res: Response, url: string): void {
  if (req.get('HX-Request') === 'true') res.set('HX-Redirect', url).status(204).end();
  else res.redirect(303, url);
}

/** A partial rendered to a string (express's app.render: the view engine, its helpers and partials). */
export function renderToString(req: Request, view: string, data: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => req.app.render(view, { ...data, layout: false }, (err, html) => (err ? reject(err) : resolve(html))));
}

const renderedOf = new WeakMap<object, Map<string, Promise<string>>>();

/**
 * The HTML of a kept read model, rendered once per variant for as long as the model is kept (a
 * cached board is the same 190 KB for every viewer with the same rights): the memo lives and dies
 * with the model object.
 */
export function renderedOnce(model: object, variant: string, render: () => Promise<string>): Promise<string> {
  let byVariant = renderedOf.get(model);
  if (!byVariant) renderedOf.set(model, (byVariant = new Map()));
  let html = byVariant.get(variant);
  if (!html) {
    html = render();
    byVariant.set(variant, html);
    html.catch(() => byVariant.delete(variant));
  }
  return html;
}
