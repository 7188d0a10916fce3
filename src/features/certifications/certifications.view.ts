/** Register rows and compliance items as the pages show them (labels, statuses, steps), and their loaders. */
import type { Db } from '../../db/types.js';
import type { Jurisdiction } from '../../domain/actor.js';
import {
  BENCHMARK_LEVELS,
  CERT_KIND_LABELS,
  CERT_KINDS,
  DEFAULT_PROVINCIAL_AGENCY,
  DISPLAY_STATUS_LABELS,
  HTE_MODES,
  PROVINCIAL_AGENCIES,
  cancelReasonLabel,
  cancelReasonsOf,
  displayStatus,
  hteNumberProvince,
  hteStepLabel,
} from '../../domain/certifications.js';
import { type ComplianceItem, ITEM_KIND_LABELS, STATE_LABELS, dueWithin, firmCompliance } from '../../domain/compliance.js';
import { addDays } from '../../domain/eligibility/dates.js';
import {
  type Certification,
  type CertificationWithFirm,
  type YearSettings,
  changesOf,
  certificationsOfFirm,
  followUpOf,
  rowsWithDuties,
  ticksOf,
  yearSettings,
} from './certifications.queries.js';
import { groupBy } from '../../lib/group-by.js';

const STATUS_CLASS: Record<string, string> = {
  pending: 'status-review',
  failed: 'status-fail',
  registered: 'status-pass',
  valid: 'status-pass',
  expiry_year: 'status-warn',
  expired: 'status-muted',
  cancelled: 'status-fail',
  revoked: 'status-fail',
  lapsed: 'status-muted',
};

export function agencyOf(settings: ReadonlyMap<number, YearSettings>, year: number): string {
  return settings.get(year)?.provincialAgency ?? DEFAULT_PROVINCIAL_AGENCY;
}

/** A register row for display. */
export function registerRow(c: Certification | CertificationWithFirm, today: string, settings: ReadonlyMap<number, YearSettings>) {
  const status = displayStatus(c, today);
  const steps =
    c.kind === 'hte'
      ? [
          ['申报', c.appliedOn],
          ['公示', c.publicizedOn],
          ['备案', c.filedOn],
          ['证书', c.issuedOn],
        ].map(([label, on]) => ({ label, on }))
      : null;
  return {
    ...c,
    kindLabel: CERT_KIND_LABELS[c.kind],
    modeLabel: c.mode ? HTE_MODES[c.mode] : null,
    statusKey: status,
    statusLabel: DISPLAY_STATUS_LABELS[status],
    statusClass: STATUS_CLASS[status] ?? '',
    stepLabel: c.kind === 'hte' && c.status === 'pending' ? hteStepLabel(c) : null,
    steps,
    reasonLabel: c.status === 'revoked' ? [cancelReasonLabel(c.kind, c.statusReasonCode), c.statusReason].filter(Boolean).join('；') : c.status === 'failed' ? c.statusReason : null,
    province: c.kind === 'hte' && c.number ? hteNumberProvince(c.number) : null,
    agency: c.kind === 'tsme_prov' ? agencyOf(settings, c.year) : null,
    cancellable: c.status === 'active' && (c.kind === 'hte' || c.kind === 'tsme'),
    failable: c.kind === 'hte' && c.status === 'pending',
    cancelReasons: cancelReasonsOf(c.kind),
  };
}

export type RegisterRowView = ReturnType<typeof registerRow>;

export function itemView(i: ComplianceItem) {
  return { ...i, kindLabel: ITEM_KIND_LABELS[i.kind], stateLabel: STATE_LABELS[i.state], severityClass: `severity-${i.severity}` };
}

/** A firm's register rows and its compliance, for the firm page panels. */
export async function firmRegister(db: Db, firmId: number, today: string) {
  const [rows, settings] = await Promise.all([certificationsOfFirm(db, firmId), yearSettings(db)]);
  const [ticks, changes] = await Promise.all([ticksOf(db, rows.map((r) => r.id)), changesOf(db, [firmId])]);
  const compliance = firmCompliance(rows, ticks, changes, settings, today);
  const horizon = addDays(today, 400);
  return {
    rows: rows.map((r) => registerRow(r, today, settings)),
    items: compliance.items.filter((i) => i.showFrom <= horizon && (i.state !== 'done' || i.dueOn >= addDays(today, -730))).map(itemView),
    warnings: compliance.warnings,
    changes,
  };
}

export interface CalendarFilters {
  days: 30 | 90;
  parkId: number | null;
  counsellorId: number | null;
  kind: string | null;
}

/** What falls due in the next 30/90 days (and what is overdue), across the firms in scope. */
export async function calendarItems(db: Db, actor: Jurisdiction, f: CalendarFilters, today: string) {
  const rows = await rowsWithDuties(db, { from: addDays(today, -366), parkId: f.parkId, counsellorId: f.counsellorId, parkIds: actor.parkIds, townIds: actor.townIds });
  const settings = await yearSettings(db);
  const byFirm = groupBy(rows, (r) => r.firmId);
  const ids = rows.map((r) => r.id);
  const [ticks, changes, followUps] = await Promise.all([ticksOf(db, ids), changesOf(db, [...byFirm.keys()]), followUpOf(db, ids)]);
  const ticksByCert = groupBy(ticks, (t) => t.certificationId);
  const changesByFirm = groupBy(changes, (c) => c.firmId);
  const out: (ReturnType<typeof itemView> & { firm: CertificationWithFirm; warnings: string[]; followUpId: number | null })[] = [];
  const atRisk: { firm: CertificationWithFirm; message: string; article: string; severity: string }[] = [];
  for (const [firmId, certs] of byFirm) {
    const c = firmCompliance(certs, certs.flatMap((x) => ticksByCert.get(x.id) ?? []), changesByFirm.get(firmId) ?? [], settings, today);
    for (const w of c.warnings) if (w.severity === 'danger' || w.severity === 'warn') atRisk.push({ firm: certs[0]!, ...w });
    for (const i of dueWithin(c.items, today, f.days)) {
      if (f.kind && i.kind !== f.kind) continue;
      out.push({ ...itemView(i), firm: certs[0]!, warnings: c.warnings.map((w) => w.message), followUpId: i.kind === 'expiry_year' && i.certificationId ? (followUps.get(i.certificationId) ?? null) : null });
    }
  }
  out.sort((a, b) => (a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : a.firm.firmName.localeCompare(b.firm.firmName, 'zh')));
  atRisk.sort((a, b) => (a.severity === b.severity ? a.firm.firmName.localeCompare(b.firm.firmName, 'zh') : a.severity === 'danger' ? -1 : 1));
  return { items: out, atRisk };
}

export const FORM_CHOICES = {
  kinds: CERT_KINDS.map((key) => ({ key, label: CERT_KIND_LABELS[key] })),
  modes: Object.entries(HTE_MODES).map(([key, label]) => ({ key, label })),
  levels: BENCHMARK_LEVELS,
  agencies: PROVINCIAL_AGENCIES,
  itemKinds: Object.entries(ITEM_KIND_LABELS).map(([key, label]) => ({ key, label })),
};
