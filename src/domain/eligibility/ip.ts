/**
 * Intellectual-property holdings as the HTE rules count them (《高新技术企业认定管理工作指引》三（二）):
 * Class I (发明专利等) any number of times; Class II (实用新型、外观设计、软件著作权) "在申请高新技术企业时，
 * 仅限使用一次" — so only Class II rights not used in an earlier application count.
 */
import { readCount, type Figures } from './figures.js';
import type { ResolvedHteOptions } from './types.js';

export type IpHoldings =
  | { kind: 'known'; year: number; class1: bigint; class2: bigint; used: bigint; unusedClass2: bigint; value: string }
  | { kind: 'hasIpPartly'; year: number; value: string; note: string } // some IP proven, some counts missing
  | { kind: 'unknown'; year: number; note: string }
  | { kind: 'inconsistent'; year: number; value: string; note: string };

/**
 * The year whose year-end counts stand for the IP held at application.
 * [U] default Y−1 (latest fiscal year); optionally the year-Y row when it has counts.
 */
export function ipCountYear(idx: Figures, applicationYear: number, option: ResolvedHteOptions['ipCountYear']): number {
  if (option === 'applicationYearIfPresent') {
    const row = idx.get(applicationYear);
    if (row && row.ipClass1 !== null && row.ipClass2 !== null) return applicationYear;
  }
  return applicationYear - 1;
}

export function hteIpHoldings(idx: Figures, year: number): IpHoldings {
  const c1 = readCount(idx, year, 'ipClass1');
  const c2 = readCount(idx, year, 'ipClass2');
  const used = readCount(idx, year, 'ipClass2Used');
  if (c2.ok && used.ok && used.value > c2.value) {
    return {
      kind: 'inconsistent',
      year,
      value: `Ⅱ类 ${c2.value} 项，其中已使用 ${used.value} 项`,
      note: `${year}年已使用的Ⅱ类知识产权数大于Ⅱ类总数，请核对`,
    };
  }
  if (c1.ok && c2.ok && used.ok) {
    const unused = c2.value - used.value;
    return {
      kind: 'known',
      year,
      class1: c1.value,
      class2: c2.value,
      used: used.value,
      unusedClass2: unused,
      value: `${year}年末 Ⅰ类 ${c1.value} 项；Ⅱ类 ${c2.value} 项（已在以往申报中使用 ${used.value} 项，可用 ${unused} 项）`,
    };
  }
  // Partial data: a Class I right, or an unused Class II right, already proves the firm holds IP.
  const missing = [c1, c2, used].flatMap((r) => (r.ok ? [] : [r.note])).join('；');
  if (c1.ok && c1.value > 0n) {
    return { kind: 'hasIpPartly', year, value: `${year}年末 Ⅰ类 ${c1.value} 项`, note: missing };
  }
  if (c2.ok && used.ok && c2.value > used.value) {
    return { kind: 'hasIpPartly', year, value: `${year}年末 可用Ⅱ类 ${c2.value - used.value} 项`, note: missing };
  }
  if (c1.ok && c1.value === 0n && c2.ok && c2.value === 0n) {
    // No Class II at all: the "used" count does not matter.
    return { kind: 'known', year, class1: 0n, class2: 0n, used: 0n, unusedClass2: 0n, value: `${year}年末 无Ⅰ类、Ⅱ类知识产权` };
  }
  return { kind: 'unknown', year, note: missing };
}
