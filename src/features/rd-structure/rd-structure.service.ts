/**
 * Saving a year's R&D expense structure, or one of its R&D projects: optimistic version, audit row, verdicts
 * refreshed in the same transaction. A year with projects holds their sum and is changed through them. A year or a
 * project saved as it is stored writes nothing (no version, no audit row).
 */
import type { Knex } from 'knex';
import { isUniqueViolation } from '../../db/dialect.js';
import type { WriteContext } from '../../domain/actor.js';
import { RD_AMOUNT_KEYS, RD_MESSAGES, type RdProjectInput, type RdStructureInput } from '../../domain/eligibility/rd-structure.js';
import { ConflictError, ValidationError } from '../../lib/errors.js';
import { appendAudit } from '../audit/audit.queries.js';
import { type EligibilityRefresh, UNCHANGED, writeFirmInput } from '../eligibility/input-writes.js';
import type { Firm } from '../firms/firms.queries.js';
import {
  deleteRdProject, deleteRdStructure, insertRdProject, insertRdStructure, rdProjectsOfYear, rdStructureOfYear, syncRdYearFromProjects, updateRdProject, updateRdStructure,
} from './rd-structure.queries.js';

export const STALE_RD = '这一年的研发费用结构刚被他人修改过，请刷新页面核对后再保存。';
export const STALE_PROJECT = '这个研发项目刚被他人修改或删除，请刷新页面核对后再保存。';
export const YEAR_FROM_PROJECTS = '这一年已按研发项目录入，年度结构是各项目的合计：请修改或删除下面的项目。';

export function createRdStructureService(deps: { refreshEligibility: EligibilityRefresh }) {
  return {
    /** Returns whether anything changed. */
    async saveYear(db: Knex, firm: Firm, version: number, value: RdStructureInput, typedTotal: number | null, ctx: WriteContext): Promise<{ changed: boolean }> {
      try {
        const result = await writeFirmInput(db, firm, ctx, deps.refreshEligibility, async (trx, at) => {
          const before = await rdStructureOfYear(trx, firm.id, value.year);
          if (before?.fromProjects) throw new ConflictError('RD_FROM_PROJECTS', YEAR_FROM_PROJECTS);
          // The version check still applies: a stale form is answered as one, not as "no change".
          if (before && before.version === version && before.typedTotal === typedTotal && RD_AMOUNT_KEYS.every((k) => before[k] === value[k])) return UNCHANGED;
          if (version === 0) {
            if (before) throw new ConflictError('RD_STALE', STALE_RD);
            await insertRdStructure(trx, firm.id, value, typedTotal, at);
          } else if (!before || !(await updateRdStructure(trx, firm.id, value, typedTotal, version, at))) {
            throw new ConflictError('RD_STALE', STALE_RD);
          }
          const { firmId: _f, version: _v, ...was } = before ?? ({} as Partial<NonNullable<typeof before>>);
          await appendAudit(trx, ctx, { action: 'rd_structure.update', objectType: 'firm', objectId: firm.uscc, before: before ? was : { year: value.year }, after: { ...value, typedTotal } }, at);
          return null;
        });
        return { changed: result !== UNCHANGED };
      } catch (err) {
        if (isUniqueViolation(err)) throw new ConflictError('RD_STALE', STALE_RD);
        throw err;
      }
    },
    async deleteYear(db: Knex, firm: Firm, year: number, version: number, ctx: WriteContext): Promise<void> {
      await writeFirmInput(db, firm, ctx, deps.refreshEligibility, async (trx, at) => {
        if ((await rdStructureOfYear(trx, firm.id, year))?.fromProjects) throw new ConflictError('RD_FROM_PROJECTS', YEAR_FROM_PROJECTS);
        if (!(await deleteRdStructure(trx, firm.id, year, version))) throw new ConflictError('RD_STALE', STALE_RD);
        await appendAudit(trx, ctx, { action: 'rd_structure.delete', objectType: 'firm', objectId: firm.uscc, before: { year }, after: null }, at);
      });
    },
    /**
     * Adds (id null) or changes a project of the year; the year's structure becomes the projects' sum — the first
     * project replaces a structure typed for the year as a whole (the audit row keeps what it was).
     */
    async saveProject(db: Knex, firm: Firm, year: number, id: number | null, version: number, value: RdProjectInput, ctx: WriteContext): Promise<{ changed: boolean }> {
      try {
        const result = await writeFirmInput(db, firm, ctx, deps.refreshEligibility, async (trx, at) => {
          const projects = await rdProjectsOfYear(trx, firm.id, year);
          const before = id === null ? null : (projects.find((p) => p.id === id) ?? null);
          if (id !== null && !before) throw new ConflictError('RD_PROJECT_STALE', STALE_PROJECT);
          if (before && before.version === version && (Object.keys(value) as (keyof RdProjectInput)[]).every((k) => before[k] === value[k])) return UNCHANGED;
          if (projects.some((p) => p.code === value.code && p.id !== id)) throw new ValidationError({ code: RD_MESSAGES.codeTaken(value.code) }, '研发项目有误，未保存。请修改标出的内容。');
          const typedYear = projects.length === 0 ? await rdStructureOfYear(trx, firm.id, year) : null;
          const { firmId: _yf, ...yearBefore } = typedYear ?? ({} as Partial<NonNullable<typeof typedYear>>);
          if (before) {
            if (!(await updateRdProject(trx, before.id, value, version, at))) throw new ConflictError('RD_PROJECT_STALE', STALE_PROJECT);
          } else await insertRdProject(trx, firm.id, year, value, at);
          const sum = await syncRdYearFromProjects(trx, firm.id, year, at);
          const { firmId: _f, version: _v, id: _i, ...was } = before ?? ({} as Partial<NonNullable<typeof before>>);
          await appendAudit(
            trx,
            ctx,
            {
              action: before ? 'rd_project.update' : 'rd_project.create',
              objectType: 'firm',
              objectId: firm.uscc,
              before: before ? was : { year, ...(typedYear ? { replacedYearStructure: yearBefore } : {}) },
              after: { year, ...value, yearTotal: sum },
            },
            at,
          );
          return null;
        });
        return { changed: result !== UNCHANGED };
      } catch (err) {
        if (isUniqueViolation(err)) throw new ValidationError({ code: RD_MESSAGES.codeTaken(value.code) }, '研发项目有误，未保存。请修改标出的内容。');
        throw err;
      }
    },
    /** Removes a project; the year's structure is the remaining projects' sum, or none after the last one. */
    async deleteProject(db: Knex, firm: Firm, year: number, id: number, version: number, ctx: WriteContext): Promise<{ remaining: number }> {
      return writeFirmInput(db, firm, ctx, deps.refreshEligibility, async (trx, at) => {
        const before = (await rdProjectsOfYear(trx, firm.id, year)).find((p) => p.id === id);
        if (!before || !(await deleteRdProject(trx, id, version))) throw new ConflictError('RD_PROJECT_STALE', STALE_PROJECT);
        const sum = await syncRdYearFromProjects(trx, firm.id, year, at);
        const { firmId: _f, version: _v, id: _i, ...was } = before;
        await appendAudit(trx, ctx, { action: 'rd_project.delete', objectType: 'firm', objectId: firm.uscc, before: was, after: { year, yearTotal: sum } }, at);
        return { remaining: (await rdProjectsOfYear(trx, firm.id, year)).length };
      });
    },
  };
}

export type RdStructureService = ReturnType<typeof createRdStructureService>;
