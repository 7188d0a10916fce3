/**
 * The services whose wiring is shared by the web process (app.ts) and the import worker thread
 * (jobs/import-worker.ts): a firm's moves and the certification register that follows them. Built
 * in one place so the two threads apply the same rules.
 */
import { certificateHook, createCertificationService } from './features/certifications/certifications.service.js';
import { applyingGate } from './features/eligibility/applying-gate.js';
import { refreshEligibility } from './features/eligibility/eligibility.service.js';
import { createFirmService } from './features/firms/firms.service.js';

export function createCoreServices() {
  const firms = createFirmService({ applyingGate, refreshEligibility, certificates: certificateHook });
  const certifications = createCertificationService({ firms });
  return { firms, certifications };
}

export type CoreServices = ReturnType<typeof createCoreServices>;
