/** Parsing the demand forms: the demand itself, a partner, a move. Chinese messages by field. */
import { isTechFieldKey } from '../../domain/fields.js';
import { DEMAND_LIMITS, isBudgetBand, isDemandStatus, isPartnerKind, type DemandMoveInput, type PartnerKind } from '../../domain/demands.js';
import { isCalendarDate } from '../../lib/dates.js';
import { parseWan } from '../../lib/money.js';
import { str } from '../../web/forms.js';
import type { DemandFields } from './demands.queries.js';

export type DemandForm = Record<'title' | 'field' | 'description' | 'targets' | 'budgetBand' | 'contactName' | 'contactPhone' | 'collectedOn', string>;
export type PartnerForm = Record<'partnerKind' | 'partnerName' | 'partnerContact' | 'partnerStartedOn' | 'partnerNote', string>;
export type MoveForm = Record<'to' | 'reason' | 'resolution' | 'contractValue', string>;

type Parsed<T> = { ok: true; values: T } | { ok: false; errors: Record<string, string> };

const tooLong = (label: string, max: number) => `${label}不能超过 ${max} 字。`;

export function demandFormOf(body: Record<string, unknown>, today: string): DemandForm {
  return {
    title: str(body.title),
    field: str(body.field),
    description: str(body.description),
    targets: str(body.targets),
    budgetBand: str(body.budgetBand),
    contactName: str(body.contactName),
    contactPhone: str(body.contactPhone),
    collectedOn: str(body.collectedOn) || today,
  };
}

export function parseDemandForm(form: DemandForm, today: string): Parsed<DemandFields> {
  const errors: Record<string, string> = {};
  const L = DEMAND_LIMITS;
  if (!form.title) errors.title = '请填写需求名称。';
  else if ([...form.title].length > L.title) errors.title = tooLong('需求名称', L.title);
  if (form.field && !isTechFieldKey(form.field)) errors.field = '请选择技术领域。';
  if ([...form.description].length > L.description) errors.description = tooLong('需求描述', L.description);
  if ([...form.targets].length > L.targets) errors.targets = tooLong('量化指标', L.targets);
  if (form.budgetBand && !isBudgetBand(form.budgetBand)) errors.budgetBand = '请选择预算区间。';
  if ([...form.contactName].length > L.contactName) errors.contactName = tooLong('联系人', L.contactName);
  if ([...form.contactPhone].length > L.contactPhone) errors.contactPhone = tooLong('联系电话', L.contactPhone);
  if (!isCalendarDate(form.collectedOn)) errors.collectedOn = '征集日期须为 YYYY-MM-DD 格式的日期。';
  else if (form.collectedOn > today) errors.collectedOn = '征集日期不能晚于今天。';
  if (Object.keys(errors).length) return { ok: false, errors };
  const opt = (s: string) => s || null;
  return {
    ok: true,
    values: {
      title: form.title,
      field: opt(form.field),
      description: opt(form.description),
      targets: opt(form.targets),
      budgetBand: opt(form.budgetBand),
      contactName: opt(form.contactName),
      contactPhone: opt(form.contactPhone),
      collectedOn: form.collectedOn,
    },
  };
}

export interface PartnerValues {
  kind: PartnerKind;
  name: string;
  contact: string | null;
  startedOn: string;
  note: string | null;
}

export function partnerFormOf(body: Record<string, unknown>, today: string): PartnerForm {
  return {
    partnerKind: str(body.partnerKind),
    partnerName: str(body.partnerName),
    partnerContact: str(body.partnerContact),
    partnerStartedOn: str(body.partnerStartedOn) || today,
    partnerNote: str(body.partnerNote),
  };
}

/** A partner form left entirely empty (the move form's optional partner). */
export const partnerFormIsEmpty = (f: PartnerForm) => !f.partnerName && !f.partnerContact && !f.partnerNote;

export function parsePartnerForm(form: PartnerForm, today: string): Parsed<PartnerValues> {
  const errors: Record<string, string> = {};
  const L = DEMAND_LIMITS;
  if (!isPartnerKind(form.partnerKind)) errors.partnerKind = '请选择对接方类型：高校、科研院所或企业。';
  if (!form.partnerName) errors.partnerName = '请填写对接方名称。';
  else if ([...form.partnerName].length > L.partnerName) errors.partnerName = tooLong('对接方名称', L.partnerName);
  if ([...form.partnerContact].length > L.partnerContact) errors.partnerContact = tooLong('对接方联系人', L.partnerContact);
  if ([...form.partnerNote].length > L.partnerNote) errors.partnerNote = tooLong('备注', L.partnerNote);
  if (!isCalendarDate(form.partnerStartedOn)) errors.partnerStartedOn = '对接开始日期须为 YYYY-MM-DD 格式的日期。';
  else if (form.partnerStartedOn > today) errors.partnerStartedOn = '对接开始日期不能晚于今天。';
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    values: { kind: form.partnerKind as PartnerKind, name: form.partnerName, contact: form.partnerContact || null, startedOn: form.partnerStartedOn, note: form.partnerNote || null },
  };
}

export function moveFormOf(body: Record<string, unknown>): MoveForm {
  return { to: str(body.to), reason: str(body.reason), resolution: str(body.resolution), contractValue: str(body.contractValue) };
}

/** The move's input for decideDemandMove; a contract value that is not an amount is refused here. */
export function parseMoveForm(form: MoveForm): Parsed<DemandMoveInput> {
  if (!isDemandStatus(form.to)) return { ok: false, errors: { to: '请选择要移到的状态。' } };
  let contractValueYuan: number | null = null;
  if (form.contractValue) {
    const v = parseWan(form.contractValue);
    if (!v.ok) return { ok: false, errors: { contractValue: `合同金额：${v.message}` } };
    if (v.yuan !== null && v.yuan < 0) return { ok: false, errors: { contractValue: '合同金额不能为负数。' } };
    contractValueYuan = v.yuan;
  }
  return { ok: true, values: { to: form.to, reason: form.reason || null, resolution: form.resolution || null, contractValueYuan } };
}
