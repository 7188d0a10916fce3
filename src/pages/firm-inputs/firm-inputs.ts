/**
 * The firm's eligibility inputs page (认定数据): the detailed inputs of the rules — staff by month,
 * compliance events, the IP register, the R&D expense structure, the tech-SME option — each with
 * what the rules derive from it, beside the readiness panel they feed. A page above the features.
 */
import type { Db } from '../../db/types.js';
import type { Actor } from '../../domain/actor.js';
import { staffAverage } from '../../domain/eligibility/staff.js';
import { formatFraction, formatPercent, frac, type Fraction } from '../../domain/eligibility/ratio.js';
import { computeRdStructure, RD_AMOUNT_KEYS, type RdAmounts } from '../../domain/eligibility/rd-structure.js';
import { RD_CATEGORIES, rdProjectsOfFirms, rdStructuresOfFirms, type StoredRdProject, type StoredRdStructure } from '../../features/rd-structure/rd-structure.queries.js';
import { rdFormFrom, rdProjectFormFrom } from '../../features/rd-structure/rd-structure-form.js';
import { formatWan } from '../../lib/money.js';
import { evaluate, factsOf } from '../../features/eligibility/eligibility.service.js';
import type { FirmFacts } from '../../domain/eligibility/index.js';
import { countRegister, IP_ACQUISITIONS, IP_KINDS, IP_STATUSES } from '../../domain/eligibility/ip-register.js';
import { ipItemsOfFirms, type StoredIpItem } from '../../features/ip-register/ip-register.queries.js';
import { settingsOfFirms } from '../../features/eligibility/eligibility-settings.queries.js';
import { TSME_RD_OPTIONS } from '../../features/eligibility/eligibility-settings.routes.js';
import { inputsOfFirms } from '../../features/eligibility/firm-inputs.js';
import type { InputsFormState } from '../../features/eligibility/input-writes.js';
import { readinessFor } from '../../features/eligibility/readiness-view.js';
import { figuresForFirm } from '../../features/figures/figures.queries.js';
import { findFirmInScope } from '../../features/firms/firm-scope.js';
import { latestCertificates } from '../../features/stages/stage-events.queries.js';
import { MONTH_LABELS, PART_TIME_LINES, staffFormFrom } from '../../features/staff-months/staff-months-form.js';
import { staffMonthsOfFirms } from '../../features/staff-months/staff-months.queries.js';
import { yearOf } from '../../lib/dates.js';
import { complianceOfFirms, type ComplianceOfFirm } from '../../features/compliance/compliance.queries.js';
import { COMPLIANCE_EVENT_KINDS, COMPLIANCE_LISTS, withinHteWindow } from '../../domain/eligibility/compliance.js';

/** A project's form: as typed after a refusal, else as stored (a blank one for a new project). */
function rdProjectForm(uscc: string, year: number, p: StoredRdProject | null, state: InputsFormState | null) {
  const key = `rdp-${p?.id ?? 'new'}-${year}`;
  const mine = state && state.form === key ? state : null;
  const values = mine ? mine.values : rdProjectFormFrom(p);
  const errors = mine?.errors ?? {};
  const field = (name: string) => ({ value: values[name] ?? '', error: errors[name] ?? null });
  return {
    action: p ? `/firms/${uscc}/rd/${year}/projects/${p.id}` : `/firms/${uscc}/rd/${year}/projects`,
    id: p?.id ?? 'new',
    version: String(p?.version ?? 0),
    open: mine !== null,
    message: mine?.message ?? null,
    code: field('code'), name: field('name'), startDate: field('startDate'), endDate: field('endDate'), budget: field('budget'), techField: field('techField'),
    categories: RD_CATEGORIES.map((c) => ({ ...c, ...field(c.key) })),
  };
}

/** The year's projects, each with its categories and total, then the year's total (their sum, as stored). */
function rdProjectsSection(uscc: string, year: number, projects: StoredRdProject[], row: StoredRdStructure | null, state: InputsFormState | null) {
  const total = (v: RdAmounts) => RD_AMOUNT_KEYS.reduce((s, k) => s + v[k], 0);
  return {
    heads: ['人员人工', '直接投入', '折旧', '无形资产摊销', '设计', '装备调试与试验', '委托境内', '委托境外', '其他'],
    rows: projects.map((p) => ({
      ...p,
      budgetWan: p.budget === null ? '' : formatWan(p.budget),
      amounts: RD_AMOUNT_KEYS.map((k) => formatWan(p[k])),
      total: formatWan(total(p)),
      form: rdProjectForm(uscc, year, p, state),
    })),
    sum: row && row.fromProjects ? { amounts: RD_AMOUNT_KEYS.map((k) => formatWan(row[k])), total: formatWan(total(row)) } : null,
    newForm: rdProjectForm(uscc, year, null, state),
  };
}

/** A year's R&D structure and both bases side by side (指引 三（六）; 财税〔2015〕119号). */
function rdSection(uscc: string, year: number, stored: StoredRdStructure[], projects: StoredRdProject[], state: InputsFormState | null) {
  const row = stored.find((s) => s.year === year) ?? null;
  const mine = state && state.form === `rd-${year}` ? state : null;
  const values = mine ? mine.values : rdFormFrom(row);
  const errors = mine?.errors ?? {};
  const wan = (f: Fraction) => `${formatFraction(frac(f.num, f.den * 10000n), 4)}`;
  const r = row ? computeRdStructure(row) : null;
  return {
    year,
    version: String(row?.version ?? 0),
    entered: row !== null,
    fromProjects: row?.fromProjects === true,
    projects: rdProjectsSection(uscc, year, projects.filter((p) => p.year === year), row, state),
    message: mine?.message ?? null,
    categories: RD_CATEGORIES.map((c) => ({ ...c, value: values[c.key] ?? '', error: errors[c.key] ?? null })),
    typedTotal: { value: values.typedTotal ?? '', error: errors.typedTotal ?? null },
    bases: r
      ? {
          actual: wan(frac(r.actualTotal, 1n)),
          hte: { total: wan(r.hte.total), out: wan(r.hte.outsourcedCounted), other: wan(r.hte.otherCounted), cap: wan(r.hte.otherCap), capped: r.hte.otherCapped, domestic: wan(r.hte.domestic), share: formatPercent(frac(r.hte.domestic.num * r.hte.total.den, r.hte.total.num * r.hte.domestic.den || 1n)) },
          ded: { total: wan(r.deduction.total), out: wan(r.deduction.outsourcedCounted), other: wan(r.deduction.otherCounted), cap: wan(r.deduction.otherCap), capped: r.deduction.otherCapped },
        }
      : null,
  };
}

/** The register with each item's verdict for both checks at today's date (指引 三（二）; 评价办法 第七条3). */
function ipSection(items: StoredIpItem[], today: string, state: InputsFormState | null) {
  const hte = countRegister(items, today, 'hte');
  const tsme = countRegister(items, today, 'tsme');
  const mine = state && (state.form === 'ip' || state.form === 'ip-list') ? state : null;
  const values = mine?.form === 'ip' ? mine.values : { status: 'valid', acquisition: 'own', supportsMainProducts: 'yes' };
  return {
    items: items.map((it, i) => ({
      ...it,
      kindLabel: IP_KINDS[it.kind].label,
      ipClass: IP_KINDS[it.kind].ipClass,
      acquisitionLabel: IP_ACQUISITIONS[it.acquisition],
      statusLabel: IP_STATUSES[it.status],
      hte: hte.verdicts[i],
      tsme: tsme.verdicts[i],
    })),
    counts: items.length ? { hte, tsme } : null,
    message: mine?.message ?? null,
    values,
    errors: mine?.form === 'ip' ? mine.errors : {},
    kinds: Object.entries(IP_KINDS).map(([key, k]) => ({ key, label: k.label, selected: key === values.kind })),
    acquisitions: Object.entries(IP_ACQUISITIONS).map(([key, label]) => ({ key, label, selected: key === values.acquisition })),
    statuses: Object.entries(IP_STATUSES).map(([key, label]) => ({ key, label, selected: key === values.status })),
  };
}

/** Both 研发投入 scores of the tech-SME check (第七条2) beside the firm's recorded choice. */
function tsmeOptionSection(facts: FirmFacts, today: string, version: number, state: InputsFormState | null) {
  const verdict = evaluate('tsme', facts, today);
  const rd = verdict.score?.indicators.find((i) => i.id === 'tsme.score.rd');
  const mine = state && state.form === 'tsme-option' ? state : null;
  const chosen = mine ? (mine.values.option ?? '') : (facts.tsmeRdOption ?? '');
  const range = (p: [number, number]) => (p[0] === p[1] ? `${p[0]}` : `${p[0]}–${p[1]}`);
  return {
    version: String(version),
    message: mine?.message ?? null,
    error: mine?.errors.option ?? null,
    options: [{ key: '', label: '未选择（默认取较高者）' }, ...Object.entries(TSME_RD_OPTIONS).map(([key, label]) => ({ key, label }))].map((o) => ({ ...o, selected: o.key === chosen })),
    items: (rd?.items ?? []).map((i) => ({ label: i.label, points: range(i.points), value: i.value ?? '', note: i.note ?? '', selected: i.selected === true })),
    indicatorPoints: rd ? range(rd.points) : '',
    note: rd?.note ?? '',
  };
}

function complianceSection(c: ComplianceOfFirm | undefined, today: string, state: InputsFormState | null) {
  const form = (name: string) => (state && state.form === name ? state : { values: {} as Record<string, string>, errors: {} as Record<string, string>, message: undefined });
  return {
    events: (c?.events ?? []).map((e) => ({ ...e, kindLabel: COMPLIANCE_EVENT_KINDS[e.kind], inHteWindow: withinHteWindow(e.date, today) })).reverse(),
    listings: (c?.listings ?? []).map((l) => ({ ...l, listLabel: COMPLIANCE_LISTS[l.list] })).reverse(),
    check: c?.check ?? null,
    checkVersion: String(c?.check?.version ?? 0),
    kinds: Object.entries(COMPLIANCE_EVENT_KINDS).map(([key, label]) => ({ key, label })),
    lists: Object.entries(COMPLIANCE_LISTS).map(([key, label]) => ({ key, label })),
    eventForm: form('event'),
    listingForm: form('listing'),
    checkForm: form('check'),
  };
}

function staffSection(year: number, stored: Awaited<ReturnType<typeof staffMonthsOfFirms>> extends Map<number, infer R> ? R : never, state: InputsFormState | null) {
  const row = stored.find((r) => r.year === year) ?? null;
  const mine = state && state.form === `staff-${year}` ? state : null;
  const values = mine ? mine.values : staffFormFrom(row);
  const errors = mine?.errors ?? {};
  const average = row ? staffAverage(row) : null;
  return {
    year,
    version: mine ? (mine.values.version ?? String(row?.version ?? 0)) : String(row?.version ?? 0),
    entered: row !== null,
    message: mine?.message ?? null,
    months: MONTH_LABELS.map((label, m) => ({
      label,
      tName: `t${m}`, tValue: values[`t${m}`] ?? '', tError: errors[`t${m}`] ?? null,
      kName: `k${m}`, kValue: values[`k${m}`] ?? '', kError: errors[`k${m}`] ?? null,
    })),
    partTime: Array.from({ length: PART_TIME_LINES }, (_, i) => {
      const f = (n: string) => ({ name: `p${i}_${n}`, value: values[`p${i}_${n}`] ?? '', error: errors[`p${i}_${n}`] ?? null });
      return { i, label: f('label'), days: f('days'), from: f('from'), to: f('to'), tech: f('tech'), verdict: average?.partTime[i]?.reason ?? null };
    }),
    average: average ? { total: formatFraction(average.total, 4), tech: formatFraction(average.tech, 4), source: average.source } : null,
    years: stored.map((r) => r.year),
  };
}

export async function loadInputsPage(db: Db, uscc: string, actor: Pick<Actor, 'parkIds'>, today: string, year: number | null, state: InputsFormState | null) {
  const firm = await findFirmInScope(db, uscc, actor);
  const [figures, certificates, inputs, staff, compliance, settings, ip, rd, rdProjects] = await Promise.all([
    figuresForFirm(db, firm.id),
    latestCertificates(db, [firm.id]),
    inputsOfFirms(db, [firm.id]),
    staffMonthsOfFirms(db, [firm.id]),
    complianceOfFirms(db, [firm.id]),
    settingsOfFirms(db, [firm.id]),
    ipItemsOfFirms(db, [firm.id]),
    rdStructuresOfFirms(db, [firm.id]),
    rdProjectsOfFirms(db, [firm.id]),
  ]);
  const facts = factsOf(firm, figures, certificates.get(firm.id), inputs.get(firm.id));
  const selected = year ?? yearOf(today) - 1;
  return {
    firm,
    year: selected,
    yearOptions: Array.from({ length: 10 }, (_, i) => yearOf(today) - i).map((y) => ({ year: y, selected: y === selected })),
    readiness: readinessFor(firm.stage, facts, today),
    staff: staffSection(selected, staff.get(firm.id) ?? [], state),
    compliance: complianceSection(compliance.get(firm.id), today, state),
    rd: rdSection(firm.uscc, selected, rd.get(firm.id) ?? [], rdProjects.get(firm.id) ?? [], state),
    ip: ipSection(ip.get(firm.id) ?? [], today, state),
    tsmeOption: tsmeOptionSection(facts, today, settings.get(firm.id)?.version ?? 0, state),
    today,
  };
}
