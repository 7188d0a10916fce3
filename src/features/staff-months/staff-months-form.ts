/**
 * The staff-by-month form: 年初 and 12 month-end counts of 在职职工 and 在职科技人员 (whole, not negative),
 * and part-time/temporary staff one per line (指引 三（五）). Every refusal is a Chinese message at the field.
 */
import { daysInMonths, type PartTimeStaff, type StaffMonthsInput } from '../../domain/eligibility/staff.js';

export const MONTH_LABELS = ['年初（上年12月末）', '1月末', '2月末', '3月末', '4月末', '5月末', '6月末', '7月末', '8月末', '9月末', '10月末', '11月末', '12月末'];
export const PART_TIME_LINES = 8;

const messages = {
  count: '请填写 0 或正整数（人数不能为负数或小数）。',
  techOver: '科技人员不能多于职工人数。',
  label: '请填写姓名或编号。',
  days: '请填写全年累计工作天数（1–366 的整数）。',
  month: '请填写 1–12 的月份。',
  order: '离开月份不能早于到岗月份。',
  daysOver: '累计工作天数超过了这几个月的天数。',
} as const;

export type StaffParse = { ok: true; value: StaffMonthsInput } | { ok: false; errors: Record<string, string> };

export function parseStaffForm(year: number, body: Record<string, string>): StaffParse {
  const errors: Record<string, string> = {};
  const whole = (key: string): number | null => {
    const text = (body[key] ?? '').normalize('NFKC').trim();
    if (!/^\d{1,6}$/.test(text)) {
      errors[key] = messages.count;
      return null;
    }
    return Number(text);
  };
  const total: number[] = [];
  const tech: number[] = [];
  for (let m = 0; m <= 12; m += 1) {
    const t = whole(`t${m}`);
    const k = whole(`k${m}`);
    if (t !== null && k !== null && k > t) errors[`k${m}`] = messages.techOver;
    total.push(t ?? 0);
    tech.push(k ?? 0);
  }
  const partTime: PartTimeStaff[] = [];
  for (let i = 0; i < PART_TIME_LINES; i += 1) {
    const f = (name: string) => (body[`p${i}_${name}`] ?? '').normalize('NFKC').trim();
    const label = f('label');
    const daysText = f('days');
    const fromText = f('from');
    const toText = f('to');
    if (!label && !daysText && !fromText && !toText) continue;
    if (!label || label.length > 60) errors[`p${i}_label`] = messages.label;
    const days = /^\d{1,3}$/.test(daysText) && Number(daysText) >= 1 && Number(daysText) <= 366 ? Number(daysText) : null;
    if (days === null) errors[`p${i}_days`] = messages.days;
    const month = (text: string, key: string) => {
      if (/^\d{1,2}$/.test(text) && Number(text) >= 1 && Number(text) <= 12) return Number(text);
      errors[key] = messages.month;
      return null;
    };
    const from = month(fromText, `p${i}_from`);
    const to = month(toText, `p${i}_to`);
    if (from !== null && to !== null && to < from) errors[`p${i}_to`] = messages.order;
    else if (from !== null && to !== null && days !== null && days > daysInMonths(year, from, to)) errors[`p${i}_days`] = messages.daysOver;
    partTime.push({ label, days: days ?? 0, fromMonth: from ?? 1, toMonth: to ?? 1, tech: f('tech') === 'yes' });
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { year, total, tech, partTime } };
}

/** A stored year as the form shows it. */
export function staffFormFrom(v: StaffMonthsInput | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (let m = 0; m <= 12; m += 1) {
    out[`t${m}`] = v ? String(v.total[m]) : '';
    out[`k${m}`] = v ? String(v.tech[m]) : '';
  }
  (v?.partTime ?? []).forEach((p, i) => {
    out[`p${i}_label`] = p.label;
    out[`p${i}_days`] = String(p.days);
    out[`p${i}_from`] = String(p.fromMonth);
    out[`p${i}_to`] = String(p.toMonth);
    out[`p${i}_tech`] = p.tech ? 'yes' : 'no';
  });
  return out;
}
