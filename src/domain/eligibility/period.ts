/**
 * The HTE evaluation years for an application in year Y (《高新技术企业认定管理工作指引》三（一）):
 * "'当年'、'最近一年'和'近一年'都是指企业申报前1个会计年度；'近三个会计年度'是指企业申报前的连续3个
 * 会计年度（不含申报年）" → Y−1, and Y−3..Y−1. The fiscal year is the calendar year.
 * 《高新技术企业认定管理办法》第十一条（五）: "实际经营期不满三年的按实际经营时间计算" → drop the years
 * before the registration year.
 */
import { tryParseDate } from './dates.js';
import { yearRange, yearsText } from './figures.js';

export interface HtePeriod {
  applicationYear: number; // Y
  latestYear: number; // Y−1 ("近一年")
  years: number[]; // Y−3..Y−1, or the operated years among them (oldest first)
  short: boolean; // operated fewer than three fiscal years
  note?: string;
}

export function htePeriod(registeredOn: string | null, applicationYear: number): HtePeriod {
  const latestYear = applicationYear - 1;
  let first = applicationYear - 3;
  const registered = registeredOn ? tryParseDate(registeredOn) : null;
  if (registered && registered.y > first) first = registered.y;
  const years = yearRange(first, latestYear);
  const short = years.length < 3;
  return {
    applicationYear,
    latestYear,
    years,
    short,
    ...(short
      ? {
          note:
            years.length === 0
              ? '申报前无完整会计年度'
              : `实际经营期不满三年，按实际经营时间（${yearsText(years)}）计算`,
        }
      : {}),
  };
}
