/** Parsing one IP item as typed: the number checked for its kind, grant not before application, Chinese messages. */
import { validDate } from '../../domain/eligibility/compliance.js';
import { checkIpNumber, IP_ACQUISITIONS, IP_KINDS, IP_STATUSES, type IpAcquisition, type IpItem, type IpKind, type IpStatus } from '../../domain/eligibility/ip-register.js';

export type IpParse = { ok: true; value: IpItem; numberKey: string } | { ok: false; errors: Record<string, string> };

const clean = (v: string | undefined) => (v ?? '').normalize('NFKC').trim();

export function parseIpForm(body: Record<string, string>, today: string): IpParse {
  const errors: Record<string, string> = {};
  const kind = clean(body.kind) as IpKind;
  if (!(kind in IP_KINDS)) errors.kind = '请选择知识产权类别。';
  const numberCheck = kind in IP_KINDS ? checkIpNumber(kind, clean(body.number)) : null;
  if (!clean(body.number)) errors.number = '请填写编号（专利号、登记号等）。';
  else if (numberCheck && !numberCheck.ok) errors.number = numberCheck.message;
  const title = clean(body.title);
  if (!title || title.length > 200) errors.title = '请填写名称（200字以内）。';
  const date = (key: string, label: string): string | null => {
    const text = clean(body[key]);
    if (!text) return null;
    if (!validDate(text)) errors[key] = `${label}不是有效日期（如 2023-05-12）。`;
    else if (text > today) errors[key] = `${label}不能晚于今天。`;
    return text;
  };
  const appliedOn = date('appliedOn', '申请日');
  const grantedOn = date('grantedOn', '授权日');
  if (appliedOn && grantedOn && !errors.appliedOn && !errors.grantedOn && grantedOn < appliedOn) errors.grantedOn = '授权日不能早于申请日。';
  if (grantedOn && !appliedOn && ['invention', 'utility', 'design'].includes(kind)) errors.appliedOn = '专利请填写申请日（用于判断保护期）。';
  const acquisition = clean(body.acquisition) as IpAcquisition;
  if (!(acquisition in IP_ACQUISITIONS)) errors.acquisition = '请选择获得方式。';
  const status = clean(body.status) as IpStatus;
  if (!(status in IP_STATUSES)) errors.status = '请选择状态。';
  const coHolders = clean(body.coHolders);
  if (coHolders.length > 200) errors.coHolders = '共有人最多200字。';
  const used = clean(body.usedInApplication);
  if (used.length > 100) errors.usedInApplication = '最多100字。';
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    numberKey: `${['invention', 'utility', 'design'].includes(kind) ? 'patent' : kind}:${(numberCheck as { normalized: string }).normalized}`,
    value: {
      kind, number: (numberCheck as { normalized: string }).normalized, title, appliedOn, grantedOn, acquisition, coHolders,
      coHolderUse: coHolders !== '' && body.coHolderUse === 'yes', status, usedInApplication: used || null, supportsMainProducts: body.supportsMainProducts === 'yes',
    },
  };
}
