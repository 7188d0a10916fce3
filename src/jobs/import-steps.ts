/**
 * The list pipeline's per-kind work (features/lists/kind-steps.ts), built from the features that
 * own the data: official result lists → the certification register, patents lists → the IP
 * register, figures → the eligibility summaries. Above the features, so none of them imports another.
 */
import type { Knex } from 'knex';
import { commitOfficialRows, officialValues, planRow, planText } from '../features/certifications/official-import.js';
import { refreshEligibility } from '../features/eligibility/eligibility.service.js';
import { appendAudit } from '../features/audit/audit.queries.js';
import { deleteUntouchedItemsOfBatch } from '../features/ip-register/ip-register.queries.js';
import { registerListedPatents } from '../features/ip-register/listed-patents.js';
import { ImportRunner } from '../features/lists/import-runner.js';
import { commitRdImport, rdImportPreview } from '../features/rd-structure/rd-import.js';
import type { ImportSteps } from '../features/lists/kind-steps.js';
import { type CoreServices, createCoreServices } from '../services.js';
import { siblingModule } from '../lib/worker-thread.js';

/** The worker thread's entry: compiled, the .js beside this file; from sources (tests, dev), the .ts. */
const WORKER_URL = siblingModule(import.meta.url, 'import-worker');

export function importSteps(services: CoreServices = createCoreServices()): ImportSteps {
  const { certifications } = services;
  return {
    official: {
      read: officialValues,
      async plan(db, kind, year, values, firm) {
        const plan = await planRow(db, kind, year, values, firm);
        if (plan.action === 'record') return { action: 'record', text: planText(plan) };
        return plan.action === 'refuse' ? { action: 'refuse', reason: plan.reason } : { action: 'unchanged', what: plan.what };
      },
      commit: (trx, batch, drafts, ctx, at) => commitOfficialRows(certifications, trx, batch, drafts, ctx, at),
      revertPlan: (db, batch) => certifications.revertPlanOfBatch(db, batch),
      revert: (trx, batch, ctx, at) => certifications.revertBatch(trx, batch, ctx, at),
    },
    rdStructure: {
      preview: rdImportPreview,
      commit: (trx, batch, ctx, at) => commitRdImport(trx, batch, ctx, at, (t, ids) => refreshEligibility(t, ids)),
    },
    async afterPatentsPublished(trx, batch, drafts, ctx, at) {
      const patents = drafts.flatMap((d) => (d.firmId === null ? [] : (d.patents ?? []).map((p) => ({ firmId: d.firmId!, ...p }))));
      const { firmIds, added } = await registerListedPatents(trx, batch.id, patents, at);
      if (added === 0) return;
      await appendAudit(trx, ctx, { action: 'ip.list_import', objectType: 'import_batch', objectId: String(batch.id), after: { batchId: batch.id, items: added, firms: firmIds.length } }, at);
      // The derived IP counts changed: the readiness summaries follow, in the same transaction.
      await refreshEligibility(trx, firmIds);
    },
    async afterPatentsReverted(trx, batch, ctx, at) {
      const { firmIds, kept } = await deleteUntouchedItemsOfBatch(trx, batch.id);
      if (firmIds.length === 0 && kept === 0) return;
      await appendAudit(trx, ctx, { action: 'ip.list_revert', objectType: 'import_batch', objectId: String(batch.id), after: { batchId: batch.id, firms: firmIds.length, keptEdited: kept } }, at);
      await refreshEligibility(trx, firmIds);
    },
    refreshEligibility: (trx: Knex.Transaction, firmIds) => refreshEligibility(trx, [...firmIds]),
  };
}

export function createImportRunner(db: Knex, services?: CoreServices): ImportRunner {
  return new ImportRunner(db, importSteps(services), WORKER_URL);
}
