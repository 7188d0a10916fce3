/**
 * Consistency hints (issue 12 item 7): where the certification register or the lists contradict the
 * stage the bureau has a firm in. A hint says so and may name the stage to move to; it never moves
 * anything (the caseworker opens the normal move form from it). Plain functions.
 *
 * The rules and their basis:
 * - tsme_valid_early: a 科技型中小企业 入库登记编号 of this year's evaluation while the firm is at 候选 or
 *   孵化培育 → suggest 科技型中小企业. 2017 办法 第十一条 (the number goes with the 评价年度, valid for that
 *   year only, domain.md §3.5), so only this year's row counts.
 * - tsme_lapsed: at 科技型中小企业 or 高企培育库 without this year's registration. Before the season closes a
 *   firm is judged on last year's registration (this year's window is still open); from 1 November on, on
 *   this year's. The cut-off: the 2025 notice's system window ran 6-30 to 9-30 and provinces finish their
 *   publicity by 10-31 (domain.md §3.1 [C]), so by 1 November this year's 入库 list is out.
 * - hte_valid_early: a 高新技术企业 certificate within its validity (办法 第九条, three years from the
 *   certificate) while the firm is below 高新技术企业 → suggest 高新技术企业.
 * - hte_missing: at 高新技术企业 with no certificate within its validity → suggest 高企培育库 (design.md: a
 *   certificate expired and not renewed goes back to the reserve).
 * - above_scale_on_sample: 规上工业 by its own figures (src/domain/scale.ts) yet on the current 规下样本 list,
 *   whose frame is firms below 2000万元 (domain.md §6): one of the two is out of date.
 */
import { hteValidUntil } from './certifications.js';
import { type StageKey, stageLabel } from './stages.js';

export const HINT_CODES = ['tsme_valid_early', 'tsme_lapsed', 'hte_valid_early', 'hte_missing', 'above_scale_on_sample'] as const;
export type HintCode = (typeof HINT_CODES)[number];

/** Month-day from which this year's tech-SME registration is expected to be out (see the header). */
export const TSME_SEASON_CLOSES = '11-01';

export interface RegisterRow {
  kind: string;
  year: number;
  status: string;
  number: string | null;
  issuedOn: string | null;
  validUntil: string | null;
  isVoid: boolean;
}

export interface HintInput {
  stage: StageKey;
  certifications: readonly RegisterRow[];
  /** On the current 规下样本 list. */
  onBelowScaleSample: boolean;
  scaleClass: string;
  today: string;
}

export interface Hint {
  code: HintCode;
  message: string;
  /** The stage the hint suggests moving to, or null for a warning to check by hand. */
  suggest: StageKey | null;
}

/** Stages whose cultivation has not reached a tech-SME evaluation. */
export const BEFORE_TSME: readonly StageKey[] = ['candidate', 'incubating'];
/** Stages that say the firm holds a tech-SME registration. */
export const EXPECTS_TSME: readonly StageKey[] = ['tech_sme', 'hte_reserve'];
/** Stages below 高新技术企业 on the main line. */
export const BEFORE_HTE: readonly StageKey[] = ['candidate', 'incubating', 'tech_sme', 'hte_reserve', 'hte_applying'];

const live = (r: RegisterRow) => r.status === 'active' && !r.isVoid;

/** The certificate's last valid day: the register's (a caseworker may override it), else 第九条's three years. */
export function hteValidOn(r: RegisterRow, today: string): boolean {
  if (r.kind !== 'hte' || !live(r) || !r.issuedOn) return false;
  return r.issuedOn <= today && (r.validUntil ?? hteValidUntil(r.issuedOn)) >= today;
}

/** The year whose tech-SME registration a firm at tech_sme / hte_reserve should hold on `today`. */
export function tsmeYearExpected(today: string): number {
  const year = Number(today.slice(0, 4));
  return today.slice(5) >= TSME_SEASON_CLOSES ? year : year - 1;
}

export function consistencyHints(input: HintInput): Hint[] {
  const { stage, today } = input;
  if (stage === 'exited') return [];
  const year = Number(today.slice(0, 4));
  const hints: Hint[] = [];
  const tsme = input.certifications.filter((r) => r.kind === 'tsme' && live(r));
  const here = stageLabel(stage);

  const current = tsme.find((r) => r.year === year);
  if (current && BEFORE_TSME.includes(stage)) {
    hints.push({
      code: 'tsme_valid_early',
      message: `已取得 ${year} 年度科技型中小企业入库登记编号${current.number ? ` ${current.number}` : ''}，但企业仍在“${here}”阶段。`,
      suggest: 'tech_sme',
    });
  }
  if (EXPECTS_TSME.includes(stage)) {
    const expected = tsmeYearExpected(today);
    if (!tsme.some((r) => r.year >= expected)) {
      const last = tsme.reduce<number | null>((m, r) => (m === null || r.year > m ? r.year : m), null);
      hints.push({
        code: 'tsme_lapsed',
        message: `企业在“${here}”阶段，但没有 ${expected} 年度的科技型中小企业入库登记（${last ? `最近一次为 ${last} 年度` : '登记簿中没有入库记录'}）；入库登记编号只在其评价年度内有效（2017 办法 第十一条）。`,
        suggest: null,
      });
    }
  }

  const valid = input.certifications.find((r) => hteValidOn(r, today));
  if (valid && BEFORE_HTE.includes(stage)) {
    hints.push({
      code: 'hte_valid_early',
      message: `登记簿中有有效期内的高新技术企业证书${valid.number ? ` ${valid.number}` : ''}（至 ${valid.validUntil ?? hteValidUntil(valid.issuedOn!)}），但企业仍在“${here}”阶段。`,
      suggest: 'hte_certified',
    });
  }
  if (!valid && stage === 'hte_certified') {
    hints.push({
      code: 'hte_missing',
      message: '企业在“高新技术企业”阶段，但登记簿中没有有效期内的高新技术企业证书（办法 第九条：有效期三年）。请核对证书，或将企业退回高企培育库。',
      suggest: 'hte_reserve',
    });
  }

  if (input.scaleClass === 'above' && input.onBelowScaleSample) {
    hints.push({
      code: 'above_scale_on_sample',
      message: '按本系统的主营业务收入已达规上工业标准（≥ 2000 万元），却在当前的规下样本名单上：请核对年度指标或名单。',
      suggest: null,
    });
  }
  return hints;
}

