/** Parsing the compliance forms: a penalty or incident, a list entry, the date the public records were checked. */
import {
  COMPLIANCE_EVENT_KINDS, COMPLIANCE_LISTS, type ComplianceEvent, type ComplianceEventKind, type ComplianceListing, type ComplianceListKind, validDate,
} from '../../domain/eligibility/compliance.js';

type Parsed<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

const messages = {
  kind: '请选择事件类别。',
  list: '请选择名单。',
  date: '请填写日期（如 2025-03-18）。',
  future: '日期不能晚于今天：条件对照按今天申报计算，晚于申报日的处罚不应出现。',
  authority: '请填写处罚或认定机关（100字以内）。',
  doc: '请填写文书编号（100字以内；确无文书的填“无”）。',
  removedBefore: '移出日期不能早于列入日期。',
  source: '请填写核查来源，如“信用中国、国家企业信用信息公示系统”（200字以内）。',
  note: '备注最多500字。',
} as const;

const clean = (v: string | undefined) => (v ?? '').normalize('NFKC').trim();

function date(text: string, key: string, today: string, errors: Record<string, string>): string | null {
  if (!validDate(text)) {
    errors[key] = messages.date;
    return null;
  }
  if (text > today) {
    errors[key] = messages.future;
    return null;
  }
  return text;
}

export function parseEventForm(body: Record<string, string>, today: string): Parsed<ComplianceEvent & { note: string | null }> {
  const errors: Record<string, string> = {};
  const kind = clean(body.kind) as ComplianceEventKind;
  if (!(kind in COMPLIANCE_EVENT_KINDS)) errors.kind = messages.kind;
  const d = date(clean(body.date), 'date', today, errors);
  const authority = clean(body.authority);
  if (!authority || authority.length > 100) errors.authority = messages.authority;
  const docNumber = clean(body.docNumber);
  if (!docNumber || docNumber.length > 100) errors.docNumber = messages.doc;
  const note = clean(body.note);
  if (note.length > 500) errors.note = messages.note;
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { kind, date: d!, authority, docNumber, note: note || null } };
}

export function parseListingForm(body: Record<string, string>, today: string): Parsed<ComplianceListing & { authority: string | null }> {
  const errors: Record<string, string> = {};
  const list = clean(body.list) as ComplianceListKind;
  if (!(list in COMPLIANCE_LISTS)) errors.list = messages.list;
  const listedOn = date(clean(body.listedOn), 'listedOn', today, errors);
  const removedText = clean(body.removedOn);
  const removedOn = removedText ? date(removedText, 'removedOn', today, errors) : null;
  if (listedOn && removedOn && removedOn < listedOn) errors.removedOn = messages.removedBefore;
  const authority = clean(body.authority);
  if (authority.length > 100) errors.authority = messages.authority;
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { list, listedOn: listedOn!, removedOn, authority: authority || null } };
}

export function parseCheckForm(body: Record<string, string>, today: string): Parsed<{ checkedOn: string; source: string }> {
  const errors: Record<string, string> = {};
  const checkedOn = date(clean(body.checkedOn), 'checkedOn', today, errors);
  const source = clean(body.source);
  if (!source || source.length > 200) errors.source = messages.source;
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { checkedOn: checkedOn!, source } };
}
