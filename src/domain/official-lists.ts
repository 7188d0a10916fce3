/**
 * Official result lists (issue 10 item 2): how a row of a published list finds its firm and what it
 * would record. Plain functions, for the list pipeline's per-kind commit step (not wired yet).
 *
 * Lists:
 * - 高企公示名单 (hte_publicity): name, sometimes code — 第十二条 "公示10个工作日"; records 公示 (拟认定) on the
 *   firm's HTE application of the batch year (指引 二(六) "认定时间以公示时间为准");
 * - 高企备案/证书名单 (hte_filing): name, code, certificate number — records 备案 and the certificate, which
 *   moves a firm below 高新技术企业 there (decideMove, through the register);
 * - 科技型中小企业入库名单 (tsme_registration): name, code, 入库登记编号 — records the registration of the
 *   evaluation year (2017 办法 第十一条).
 * Matching (domain.md §9.4: the credit code is the join key): by credit code; else by the normalised
 * name (src/domain/firm-name.ts), flagged for confirmation; a name that two firms share is ambiguous
 * and never applied; a row matching no firm waits in the review queue.
 */
import { normalizeFirmName } from './firm-name.js';
import { HTE_NUMBER } from './certifications.js';

export const OFFICIAL_LIST_KINDS = [
  { key: 'hte_publicity', label: '高新技术企业公示名单', fields: ['name', 'uscc'] },
  { key: 'hte_filing', label: '高新技术企业备案/证书名单', fields: ['name', 'uscc', 'certificate_no'] },
  { key: 'tsme_registration', label: '科技型中小企业入库名单', fields: ['name', 'uscc', 'registration_no'] },
] as const;
export type OfficialListKind = (typeof OFFICIAL_LIST_KINDS)[number]['key'];

export interface FirmRef {
  id: number;
  uscc: string;
  name: string;
  stage: string;
}

export type RowMatch =
  | { kind: 'code'; firm: FirmRef }
  | { kind: 'name'; firm: FirmRef; note: string }
  | { kind: 'ambiguous'; candidates: FirmRef[]; note: string }
  | { kind: 'unmatched'; note: string };

export interface FirmLookup {
  byCode(uscc: string): FirmRef | null;
  byNameNorm(nameNorm: string): FirmRef[];
}

/** Code first; else the normalised name, flagged; two firms of one name are ambiguous; none: review queue. */
export function matchOfficialRow(row: { uscc: string | null; name: string | null }, lookup: FirmLookup): RowMatch {
  if (row.uscc) {
    const firm = lookup.byCode(row.uscc);
    if (firm) return { kind: 'code', firm };
  }
  const norm = row.name ? normalizeFirmName(row.name) : '';
  const candidates = norm ? lookup.byNameNorm(norm) : [];
  if (candidates.length === 1) return { kind: 'name', firm: candidates[0]!, note: row.uscc ? `信用代码 ${row.uscc} 未登记，按企业名称对应，请确认` : '名单无信用代码，按企业名称对应，请确认' };
  if (candidates.length > 1) return { kind: 'ambiguous', candidates, note: `名称对应到 ${candidates.length} 家企业，不会自动登记，请人工选择` };
  return { kind: 'unmatched', note: '没有对应的已登记企业，进入待处理队列' };
}

export interface HeldRow {
  kind: string;
  year: number;
  number: string | null;
  status: string;
  publicizedOn: string | null;
  filedOn: string | null;
  issuedOn: string | null;
}

export type RowPlan =
  | { action: 'record'; what: string; stageMove: 'hte_certified' | null; updates: 'new' | 'existing' }
  | { action: 'unchanged'; what: string }
  | { action: 'refuse'; reason: string };

/**
 * What one matched row would record, in words for the preview, and the stage move that follows.
 * `held`: the firm's register rows; `numberHolder`: the firm that already holds the row's number.
 */
export function planOfficialRow(
  kind: OfficialListKind,
  year: number,
  row: { certificateNo?: string | null; registrationNo?: string | null; date: string },
  firm: FirmRef,
  held: HeldRow[],
  numberHolder: FirmRef | null,
): RowPlan {
  const hte = held.find((h) => h.kind === 'hte' && h.year === year && h.status !== 'failed');
  if (kind === 'hte_publicity') {
    if (hte?.publicizedOn) return { action: 'unchanged', what: `${year} 年度高企申报已记公示（${hte.publicizedOn}）` };
    return { action: 'record', what: `记录 ${year} 年度高企公示（拟认定）${row.date}${hte ? '' : '（新建申报记录）'}`, stageMove: null, updates: hte ? 'existing' : 'new' };
  }
  if (kind === 'hte_filing') {
    const no = row.certificateNo?.replace(/\s/g, '').toUpperCase() ?? '';
    if (!HTE_NUMBER.test(no)) return { action: 'refuse', reason: '证书编号应为 GR 加 12 位数字。' };
    if (numberHolder && numberHolder.id !== firm.id) return { action: 'refuse', reason: '该证书编号已由另一家企业持有。' };
    if (hte?.number === no) return { action: 'unchanged', what: `已登记证书 ${no}` };
    if (hte?.number && hte.number !== no) return { action: 'refuse', reason: `该企业 ${year} 年度已登记证书 ${hte.number}，与名单中的 ${no} 不同，请核对。` };
    const certified = firm.stage === 'hte_certified' || firm.stage === 'benchmark';
    if (firm.stage === 'exited') return { action: 'refuse', reason: '该企业已退库，须先重新入库。' };
    return {
      action: 'record',
      what: `记录 ${year} 年度高企备案和证书 ${no}（${row.date} 发证）`,
      stageMove: certified ? null : 'hte_certified',
      updates: hte ? 'existing' : 'new',
    };
  }
  const no = row.registrationNo?.replace(/\s/g, '').toUpperCase() ?? '';
  if (!/^[0-9A-Z]{8,30}$/.test(no)) return { action: 'refuse', reason: '入库登记编号为 8–30 位字母或数字。' };
  if (/^20\d{2}/.test(no) && Number(no.slice(0, 4)) !== year) return { action: 'refuse', reason: `该入库登记编号属于 ${no.slice(0, 4)} 年度，不是 ${year} 年度的评价。` };
  if (numberHolder && numberHolder.id !== firm.id) return { action: 'refuse', reason: '该入库登记编号已由另一家企业持有。' };
  const tsme = held.find((h) => h.kind === 'tsme' && h.year === year);
  if (tsme?.number === no) return { action: 'unchanged', what: `已登记 ${year} 年度入库登记编号 ${no}` };
  if (tsme) return { action: 'refuse', reason: `该企业 ${year} 年度已登记入库登记编号 ${tsme.number ?? '（无编号）'}，请核对。` };
  return { action: 'record', what: `记录 ${year} 年度科技型中小企业入库登记 ${no}`, stageMove: null, updates: 'new' };
}
