/**
 * The compliance calendar (后续管理): what each certified firm owes and when (domain.md §1.3, §3.5,
 * §9.5). Plain functions over a firm's register rows, its "reported" ticks, its reported changes and
 * the per-year local deadlines.
 *
 * - HTE annual report, 办法 第十三条: "应每年5月底前…填报上一年度…年度发展情况报表" — due 31 May for the previous
 *   year in every year the certificate is valid (deadlines after the issue date up to the last valid
 *   day, calendar.ts). A 31 May on a weekend stays 31 May: the text says 5月底前, and only a local
 *   deadline configured for that year (certification_year_settings) moves it.
 * - Missed reports, 指引 五（二）: "在同一高新技术企业资格有效期内，企业累计两年未按规定时限报送…取消" — counted
 *   per certificate (one validity period); a late report is "未按规定时限" and counts. One missed →
 *   warning; two in one period → 资格可能被取消; one in each of two periods stays two warnings.
 * - Expiry year, 指引 四、3: from 1 January of the year of the last valid day → "期满当年 – 需重新认定", with a
 *   follow-up for the firm's counsellor, until a re-certification is applied for or issued.
 * - Name change / major change, 办法 第十七条, 指引 五（四） ("应在发生之日起三个月内"); tech-SME 2017 办法 第十三条 —
 *   due three months after the event (民法典 第二百零二条 month-end rule).
 * - Cancellation, 指引 五（六）3: "无论何种原因被取消…当年不得再次申请" — the same calendar year only.
 * - Tech-SME 信息表, 2017 办法 第十二条: "应在每年3月底前…更新" — a firm registered for evaluation year Y updates
 *   by 31 March of Y+1 (or the year's configured deadline); not updating is a 第十四条 revocation reason.
 */
import { changeReportDueOn, hteCertificateCalendar, missedAnnualReports } from './eligibility/calendar.js';
import { addDays, compareDates } from './eligibility/dates.js';

export interface ComplianceCert {
  id: number;
  firmId: number;
  kind: string;
  year: number;
  mode: string | null;
  status: 'pending' | 'active' | 'failed' | 'revoked';
  appliedOn: string | null;
  issuedOn: string | null;
  validUntil: string | null;
  statusOn: string | null;
}

export interface ComplianceTick {
  certificationId: number;
  kind: 'hte_annual_report' | 'tsme_info_update';
  dataYear: number;
  reportedOn: string | null;
}

export interface ComplianceChange {
  id: number;
  kind: 'rename' | 'major';
  eventOn: string;
  dueOn: string;
  description: string | null;
  reportedOn: string | null;
}

export interface DeadlineSettings {
  /** Local deadline of the HTE annual report filed in this year (default YYYY-05-31). */
  hteReportDueOn: string | null;
  /** Deadline of the tech-SME 信息表 update filed in this year (default YYYY-03-31). */
  tsmeInfoDueOn: string | null;
}

export type ItemKind = 'hte_annual_report' | 'tsme_info_update' | 'change_report' | 'expiry_year' | 'no_reapply';
export type ItemState = 'done' | 'late' | 'missed' | 'open' | 'overdue' | 'notice';
export type Severity = 'ok' | 'info' | 'warn' | 'danger';

export interface ComplianceItem {
  key: string;
  kind: ItemKind;
  firmId: number;
  certificationId: number | null;
  changeId: number | null;
  dataYear: number | null;
  /** The deadline (expiry year: the last valid day; no re-application: 31 December). */
  dueOn: string;
  /** When the item starts to show (expiry year: 1 January). */
  showFrom: string;
  state: ItemState;
  severity: Severity;
  title: string;
  detail: string;
  article: string;
  /** A caseworker can tick it as reported. */
  tickable: boolean;
  reportedOn: string | null;
  /** A follow-up for the firm's counsellor (expiry year). */
  counsellorTask: string | null;
}

export interface FirmCompliance {
  items: ComplianceItem[];
  /** Firm-level findings, worst first. */
  warnings: { severity: Severity; message: string; article: string }[];
}

export const ITEM_KIND_LABELS: Record<ItemKind, string> = {
  hte_annual_report: '高企年度发展情况报表',
  tsme_info_update: '科小信息表更新',
  change_report: '更名/重大变化报告',
  expiry_year: '期满当年',
  no_reapply: '取消当年不得申请',
};

export const STATE_LABELS: Record<ItemState, string> = {
  done: '已报送',
  late: '逾期报送',
  missed: '未报送（已过期限）',
  open: '待报送',
  overdue: '已逾期',
  notice: '提示',
};

export function defaultHteReportDue(filingYear: number): string {
  return `${filingYear}-05-31`; // 办法 第十三条 "每年5月底前"
}

export function defaultTsmeInfoDue(filingYear: number): string {
  return `${filingYear}-03-31`; // 2017 办法 第十二条 "每年3月底前"
}

/** May a firm apply for HTE recognition in `year`? 指引 五（六）3: not in the year of a cancellation. */
export function mayApplyHte(certs: Pick<ComplianceCert, 'kind' | 'status' | 'statusOn'>[], year: number): { ok: boolean; message: string | null } {
  const cancelled = certs.find((c) => c.kind === 'hte' && c.status === 'revoked' && c.statusOn && Number(c.statusOn.slice(0, 4)) === year);
  return cancelled
    ? { ok: false, message: `该企业高新技术企业资格于 ${cancelled.statusOn} 被取消，当年不得再次申请认定（指引 五（六）3）。` }
    : { ok: true, message: null };
}

export function firmCompliance(
  certs: ComplianceCert[],
  ticks: ComplianceTick[],
  changes: ComplianceChange[],
  settings: ReadonlyMap<number, DeadlineSettings>,
  today: string,
): FirmCompliance {
  const items: ComplianceItem[] = [];
  const warnings: FirmCompliance['warnings'] = [];
  const thisYear = Number(today.slice(0, 4));
  const tickOf = (certId: number, kind: ComplianceTick['kind'], year: number) => ticks.find((t) => t.certificationId === certId && t.kind === kind && t.dataYear === year);
  const hte = certs.filter((c) => c.kind === 'hte');

  for (const c of hte) {
    if ((c.status !== 'active' && c.status !== 'revoked') || !c.issuedOn || !c.validUntil) continue;
    const cal = hteCertificateCalendar(c.issuedOn, { validUntilOverride: c.validUntil });
    // A cancelled certificate owes nothing due after its cancellation.
    const deadlines = cal.annualReports
      .filter((d) => !(c.status === 'revoked' && c.statusOn && compareDates(d.dueOn, c.statusOn) > 0))
      .map((d) => ({ year: d.year, dueOn: settings.get(d.year + 1)?.hteReportDueOn ?? d.dueOn }));
    const submissions = deadlines.flatMap((d) => {
      const t = tickOf(c.id, 'hte_annual_report', d.year);
      return t ? [{ year: d.year, submittedOn: t.reportedOn }] : [];
    });
    // 指引 五（二）: counted within this certificate's validity period only.
    const check = missedAnnualReports({ annualReports: deadlines }, submissions, today);
    for (const d of check.deadlines) {
      const t = tickOf(c.id, 'hte_annual_report', d.year);
      const state: ItemState = d.state === 'on_time' ? 'done' : d.state === 'late' ? 'late' : d.state === 'missed' ? 'missed' : 'open';
      items.push({
        key: `hte_annual_report:${c.id}:${d.year}`,
        kind: 'hte_annual_report',
        firmId: c.firmId,
        certificationId: c.id,
        changeId: null,
        dataYear: d.year,
        dueOn: d.dueOn,
        showFrom: `${d.year + 1}-01-01`,
        state,
        severity: state === 'done' ? 'ok' : state === 'open' ? 'info' : 'warn',
        title: `${d.year} 年度发展情况报表`,
        detail: state === 'done' ? `已于 ${t?.reportedOn ?? '（日期未记）'} 报送` : state === 'late' ? `${t?.reportedOn} 逾期报送，按未按时报送计` : state === 'missed' ? `${d.dueOn} 前未报送` : `${d.dueOn} 前在“高新技术企业认定管理工作网”填报`,
        article: '办法 第十三条',
        tickable: true,
        reportedOn: t?.reportedOn ?? null,
        counsellorTask: null,
      });
    }
    // Only while the period runs: a lapsed certificate can no longer be cancelled for it.
    if (c.status === 'active' && compareDates(today, cal.validUntil) <= 0) {
      if (check.missedCount >= 2) warnings.push({ severity: 'danger', message: `证书 ${c.issuedOn} 起的有效期内已累计 ${check.missedCount} 年未按时报送年度发展情况报表：资格可能被取消`, article: '指引 五（二）；办法 第十九条（三）' });
      else if (check.missedCount === 1) warnings.push({ severity: 'warn', message: `证书 ${c.issuedOn} 起的有效期内有 1 年未按时报送年度发展情况报表，再漏报 1 年资格可能被取消`, article: '指引 五（二）' });
    }

    // 指引 四、3: the expiry year, from 1 January.
    // Shown from 1 January of the expiry year (next year's already appear in a look-ahead list).
    if (c.status === 'active' && (cal.expiryYear === thisYear || cal.expiryYear === thisYear + 1)) {
      const showFrom = `${cal.expiryYear}-01-01`;
      const successor = hte.find((o) => o.id !== c.id && o.status !== 'failed' && o.status !== 'revoked' && o.year >= cal.expiryYear - 1 && (o.issuedOn === null || compareDates(o.issuedOn, c.issuedOn!) > 0));
      const renewed = successor?.issuedOn ? 'renewed' : successor ? 'applying' : null;
      items.push({
        key: `expiry_year:${c.id}`,
        kind: 'expiry_year',
        firmId: c.firmId,
        certificationId: c.id,
        changeId: null,
        dataYear: null,
        dueOn: cal.validUntil,
        showFrom,
        state: renewed ? 'done' : compareDates(cal.validUntil, today) < 0 ? 'overdue' : 'notice',
        severity: renewed ? 'ok' : 'warn',
        title: '期满当年 – 需重新认定',
        detail:
          renewed === 'renewed'
            ? `已重新认定（${successor!.issuedOn} 发证）`
            : renewed === 'applying'
              ? `已申报 ${successor!.year} 年度重新认定`
              : `证书有效期至 ${cal.validUntil}；期满当年企业所得税暂按15%预缴，年度汇算清缴前未通过重新认定的应补缴`,
        article: '指引 四、3；办法 第九条',
        tickable: false,
        reportedOn: null,
        counsellorTask: renewed ? null : `辅导企业准备 ${cal.expiryYear} 年度高企重新认定申报（证书 ${cal.validUntil} 期满）`,
      });
      if (!renewed && cal.expiryYear === thisYear) warnings.push({ severity: 'warn', message: `期满当年 – 需重新认定（证书有效期至 ${cal.validUntil}）`, article: '指引 四、3' });
    }

    // 指引 五（六）3: no new application in the year of a cancellation.
    if (c.status === 'revoked' && c.statusOn && Number(c.statusOn.slice(0, 4)) === thisYear) {
      items.push({
        key: `no_reapply:${c.id}`,
        kind: 'no_reapply',
        firmId: c.firmId,
        certificationId: c.id,
        changeId: null,
        dataYear: null,
        dueOn: `${thisYear}-12-31`,
        showFrom: c.statusOn,
        state: 'notice',
        severity: 'info',
        title: '资格被取消当年不得再次申请',
        detail: `${c.statusOn} 取消；${thisYear + 1} 年起可重新申请认定`,
        article: '指引 五（六）3',
        tickable: false,
        reportedOn: null,
        counsellorTask: null,
      });
      warnings.push({ severity: 'danger', message: `高新技术企业资格已于 ${c.statusOn} 取消，当年不得再次申请`, article: '指引 五（六）3' });
    }
  }

  // 2017 办法 第十二条: the 信息表 update by 31 March of the year after the evaluation year.
  for (const c of certs.filter((x) => x.kind === 'tsme' && x.status === 'active')) {
    const filingYear = c.year + 1;
    const dueOn = settings.get(filingYear)?.tsmeInfoDueOn ?? defaultTsmeInfoDue(filingYear);
    const t = tickOf(c.id, 'tsme_info_update', c.year);
    const state: ItemState = t ? (t.reportedOn && compareDates(t.reportedOn, dueOn) > 0 ? 'late' : 'done') : compareDates(dueOn, today) < 0 ? 'missed' : 'open';
    items.push({
      key: `tsme_info_update:${c.id}:${c.year}`,
      kind: 'tsme_info_update',
      firmId: c.firmId,
      certificationId: c.id,
      changeId: null,
      dataYear: c.year,
      dueOn,
      showFrom: `${filingYear}-01-01`,
      state,
      severity: state === 'done' ? 'ok' : state === 'open' ? 'info' : 'warn',
      title: `科技型中小企业信息表更新（${c.year} 年度入库）`,
      detail: state === 'done' ? `已于 ${t?.reportedOn ?? '（日期未记）'} 更新` : state === 'missed' ? `${dueOn} 前未更新：可被撤销入库登记编号（第十四条）` : state === 'late' ? `${t?.reportedOn} 逾期更新` : `${dueOn} 前在服务平台更新并自评`,
      article: '2017 办法 第十二条、第十四条',
      tickable: true,
      reportedOn: t?.reportedOn ?? null,
      counsellorTask: null,
    });
  }

  // 办法 第十七条 / 指引 五（四）; 2017 办法 第十三条: report within three months.
  for (const ch of changes) {
    const dueOn = ch.dueOn || changeReportDueOn(ch.eventOn);
    const state: ItemState = ch.reportedOn ? (compareDates(ch.reportedOn, dueOn) > 0 ? 'late' : 'done') : compareDates(dueOn, today) < 0 ? 'overdue' : 'open';
    items.push({
      key: `change_report:${ch.id}`,
      kind: 'change_report',
      firmId: certs[0]?.firmId ?? 0,
      certificationId: null,
      changeId: ch.id,
      dataYear: null,
      dueOn,
      showFrom: ch.eventOn,
      state,
      severity: state === 'done' ? 'ok' : state === 'open' ? 'info' : 'danger',
      title: ch.kind === 'rename' ? '企业更名报告' : '重大变化报告',
      detail: `${ch.eventOn} ${ch.description ?? ''}`.trim() + (state === 'done' ? `；已于 ${ch.reportedOn} 报告` : state === 'late' ? `；${ch.reportedOn} 逾期报告` : `；应于 ${dueOn} 前向认定机构报告`),
      article: '办法 第十七条；指引 五（四）',
      tickable: false,
      reportedOn: ch.reportedOn,
      counsellorTask: null,
    });
    if (state === 'overdue') warnings.push({ severity: 'danger', message: `${ch.eventOn} 的${ch.kind === 'rename' ? '更名' : '重大变化'}未在三个月内报告：可被取消资格`, article: '办法 第十七条、第十九条（三）' });
  }

  const order: Record<Severity, number> = { danger: 0, warn: 1, info: 2, ok: 3 };
  warnings.sort((a, b) => order[a.severity] - order[b.severity]);
  items.sort((a, b) => compareDates(a.dueOn, b.dueOn) || a.key.localeCompare(b.key));
  return { items, warnings };
}

/** Items still to act on whose deadline falls in [today, today + days], plus those overdue within the last year. */
export function dueWithin(items: ComplianceItem[], today: string, days: number): ComplianceItem[] {
  const end = addDays(today, days);
  return items.filter((i) => {
    if (i.state === 'done' || i.state === 'late') return false; // reported (late still counts as missed, 指引 五（二）)
    if (compareDates(i.showFrom, end) > 0) return false;
    if (i.state === 'missed' || i.state === 'overdue') return compareDates(i.dueOn, addDays(today, -366)) >= 0;
    return compareDates(i.dueOn, end) <= 0 || i.kind === 'expiry_year';
  });
}
