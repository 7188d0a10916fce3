/**
 * Security headers (helmet) with a Content-Security-Policy that allows no inline script and no
 * eval: every script is a file under public/ or a vendor file served by the app.
 */
import helmet from 'helmet';
import type { RequestHandler } from 'express';

export function securityHeaders(opts: { hsts: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
      },
    },
    // Plain-HTTP intranet deployments are common; HSTS only when the operator says TLS is in front.
    strictTransportSecurity: opts.hsts ? { maxAge: 31536000 } : false,
    // Same-origin requests keep their Referer (the CSRF origin check falls back on it); others get none.
    referrerPolicy: { policy: 'same-origin' },
  });
}
