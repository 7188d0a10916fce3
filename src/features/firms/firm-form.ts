/**
 * Parsing the firm form (create and edit). Everything arrives as strings; we return either a clean
 * profile or Chinese messages per field, and keep what the user typed so nothing is lost.
 */
import { isLifecycleKey, isTechFieldKey } from '../../domain/fields.js';
import { cleanFirmName } from '../../domain/firm-name.js';
import { isSectorCode } from '../../domain/scale.js';
import { parseUscc } from '../../domain/uscc.js';
import { isCalendarDate } from '../../lib/dates.js';
import { str } from '../../web/forms.js';
import { type Firm, type FirmProfile, profileOf } from './firms.queries.js';

export type FormValues = Record<string, string>;

export const FIRM_FORM_FIELDS = [
  'uscc',
  'name',
  'parkId',
  'townId',
  'field',
  'sector',
  'foundedOn',
  'address',
  'contactName',
  'contactPhone',
  'counsellorId',
  'lifecycle',
  'notes',
] as const;

/**
 * The form's field labels (views/partials/firms/form.hbs shows the same words; a unit test keeps
 * them together), for places that name a profile field outside the form, like the audit log.
 */
export const FIRM_FIELD_LABELS: Record<(typeof FIRM_FORM_FIELDS)[number], string> = {
  uscc: '统一社会信用代码',
  name: '企业名称',
  parkId: '园区/平台',
  townId: '属地（镇/街道）',
  field: '技术领域',
  sector: '国民经济行业门类',
  foundedOn: '成立日期',
  address: '地址',
  contactName: '联系人',
  contactPhone: '联系电话',
  counsellorId: '辅导员',
  lifecycle: '生命周期',
  notes: '备注',
};

const messages = {
  nameRequired: '请填写企业名称。',
  nameTooLong: '企业名称不超过 200 字。',
  park: '请选择列表中的园区或平台。',
  town: '请选择列表中的镇或街道。',
  field: '请选择列表中的技术领域。',
  sector: '请选择列表中的国民经济行业门类（GB/T 4754-2017，A–T）。',
  foundedOn: '请按 YYYY-MM-DD 填写成立日期。',
  foundedFuture: '成立日期不能晚于今天。',
  tooLong: (n: number) => `不超过 ${n} 字。`,
  phone: '电话只能包含数字、空格、“-”“+”和括号。',
  counsellor: '请选择列表中的辅导员。',
  lifecycle: '请选择初创期、成长期或成熟期。',
} as const;

/** The form's values for a stored firm (every field as the string the input shows). */
export function valuesOfFirm(f: Firm): FormValues {
  const p = profileOf(f);
  const out: FormValues = {};
  for (const k of FIRM_FORM_FIELDS) {
    const v = p[k];
    out[k] = v === null || v === undefined ? '' : String(v);
  }
  return out;
}

/** Pick only the known fields, as trimmed strings (a repeated field is refused, see web/forms.ts). */
export function formValues(body: unknown): FormValues {
  const src = (body ?? {}) as Record<string, unknown>;
  const out: FormValues = {};
  for (const k of FIRM_FORM_FIELDS) out[k] = str(src[k]);
  return out;
}

const orNull = (s: string | undefined) => (s === undefined || s === '' ? null : s);

function optionalId(s: string | undefined): number | null | undefined {
  if (!s) return null;
  const n = Number(s);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export type ParsedFirmForm = { ok: true; profile: FirmProfile } | { ok: false; errors: Record<string, string> };

export function parseFirmForm(v: FormValues, today: string): ParsedFirmForm {
  const errors: Record<string, string> = {};
  const uscc = parseUscc(v.uscc);
  if (!uscc.ok) errors.uscc = uscc.message;

  const name = cleanFirmName(v.name ?? '');
  if (!name) errors.name = messages.nameRequired;
  else if (name.length > 200) errors.name = messages.nameTooLong;

  const parkId = optionalId(v.parkId);
  if (parkId === undefined) errors.parkId = messages.park;
  const townId = optionalId(v.townId);
  if (townId === undefined) errors.townId = messages.town;
  const field = orNull(v.field);
  if (field !== null && !isTechFieldKey(field)) errors.field = messages.field;
  const sector = orNull(v.sector);
  if (sector !== null && !isSectorCode(sector)) errors.sector = messages.sector;
  const foundedOn = orNull(v.foundedOn);
  if (foundedOn !== null && !isCalendarDate(foundedOn)) errors.foundedOn = messages.foundedOn;
  else if (foundedOn !== null && foundedOn > today) errors.foundedOn = messages.foundedFuture;
  const counsellorId = optionalId(v.counsellorId);
  if (counsellorId === undefined) errors.counsellorId = messages.counsellor;
  const lifecycle = orNull(v.lifecycle);
  if (lifecycle !== null && !isLifecycleKey(lifecycle)) errors.lifecycle = messages.lifecycle;

  const limits: [keyof FormValues, number][] = [['address', 300], ['contactName', 60], ['contactPhone', 40], ['notes', 2000]];
  for (const [k, n] of limits) if ((v[k] ?? '').length > n) errors[k] = messages.tooLong(n);
  if (v.contactPhone && !/^[0-9+\-()（）\s]*$/.test(v.contactPhone)) errors.contactPhone = messages.phone;

  if (Object.keys(errors).length > 0 || !uscc.ok) return { ok: false, errors };
  return {
    ok: true,
    profile: {
      uscc: uscc.code,
      name,
      parkId: parkId ?? null,
      townId: townId ?? null,
      field,
      sector,
      foundedOn,
      address: orNull(v.address),
      contactName: orNull(v.contactName),
      contactPhone: orNull(v.contactPhone),
      counsellorId: counsellorId ?? null,
      lifecycle,
      notes: orNull(v.notes),
    },
  };
}
