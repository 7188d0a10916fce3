/**
 * What a kind of list does beyond the list pipeline, supplied by the feature that owns its data: an
 * official result list writes the certification register, a patents list feeds the IP register,
 * annual figures refresh the eligibility summaries. The lists feature only defines the shape and
 * calls it; src/jobs/import-steps.ts builds it from the features (in the web process for reverts and
 * in the import worker thread for previews and commits), so this feature imports none of theirs.
 */
import type { Knex } from 'knex';
import type { Actor, WriteContext } from '../../domain/actor.js';
import type { FirmRef, OfficialListKind } from '../../domain/official-lists.js';
import type { PreviewCounts } from './import-job.js';
import type { Batch } from './imports.queries.js';

export interface StepContext {
  actor: Actor;
  ip: string | null;
}

/** One accepted row of a batch as its commit reads it back (several rows of one firm merged). */
export interface EntryDraft {
  firmId: number | null;
  uscc: string;
  name: string | null;
  parkId: number | null;
  townId: number | null;
  line: number;
  nameMatched: boolean;
  data: Record<string, unknown>;
  /** A patents list: each row's patent as the file gave it (for the IP register, not stored on the entry). */
  patents?: { number: unknown; type: unknown; title: unknown; grantDate: unknown }[];
}

/** What one matched row of an official list would record now, for the preview. */
export type OfficialRowPreview = { action: 'record'; text: string } | { action: 'refuse'; reason: string } | { action: 'unchanged'; what: string };

/** What reverting a batch would undo besides its list entries, for the confirmation. */
export interface RevertPlan {
  /** One line per kind of change, e.g. “作废 12 条资质记录”. */
  lines: string[];
  /** Why the revert cannot be done now (a record changed since); the revert is then refused with it. */
  blocked: string | null;
}

export interface OfficialSteps {
  /** The row's date and number as the commit records them, or why they cannot be read. */
  read(kind: OfficialListKind, values: Record<string, unknown>): { date: string; number: string | null } | { error: string };
  plan(db: Knex, kind: OfficialListKind, year: number, values: { date: string; number: string | null }, firm: FirmRef): Promise<OfficialRowPreview>;
  /** Inside the commit's transaction; a row refused now fails the whole commit. Returns rows written. */
  commit(trx: Knex.Transaction, batch: Batch, drafts: readonly EntryDraft[], ctx: StepContext, at: string): Promise<number>;
  revertPlan(db: Knex, batch: Batch): Promise<RevertPlan>;
  /** Inside the revert's transaction: undo what the batch recorded, or throw (nothing changes). */
  revert(trx: Knex.Transaction, batch: Batch, ctx: WriteContext, at: string): Promise<void>;
}

/** A kind's own checks of each registered firm's row in the preview (a refusal, or a key and what will be written), and a last pass. */
export interface KindPreview {
  row(firmId: number, values: Record<string, unknown>, line: number): Promise<{ reject: string } | { key: string; note: string }>;
  finish(counts: PreviewCounts): Promise<void>;
}

export interface ImportSteps {
  official: OfficialSteps;
  /** The 研发费用结构明细表 (issue 12 item 2): checked per row in the preview, written instead of list entries. */
  rdStructure: {
    preview(db: Knex, batch: Batch): KindPreview;
    commit(trx: Knex.Transaction, batch: Batch, ctx: WriteContext, at: string): Promise<number>;
  };
  /** After a patents list is published, in its transaction (issue 12 item 1: rows feed the IP register). */
  afterPatentsPublished(trx: Knex.Transaction, batch: Batch, drafts: readonly EntryDraft[], ctx: StepContext, at: string): Promise<void>;
  /** A patents list reverted, in the revert's transaction: the register items it entered go (unless edited since). */
  afterPatentsReverted(trx: Knex.Transaction, batch: Batch, ctx: WriteContext, at: string): Promise<void>;
  /** Recompute the eligibility summaries of firms whose figures changed (in the same transaction). */
  refreshEligibility(trx: Knex.Transaction, firmIds: readonly number[]): Promise<void>;
}
