/**
 * Rows of the 授权专利 list feed the IP register (issue 12 item 1): each granted patent of a firm on
 * the list becomes a register item (number, kind, title, grant date), so the readiness check counts
 * it by the 指引's rules like a typed one. An item already in the register — typed by a counsellor,
 * or from an earlier list — is left as it is (what was typed is never overwritten), as is one whose
 * number does not check; both stay on the list itself.
 */
import type { Db } from '../../db/types.js';
import { checkPatentNumber, type IpItem, listedPatentKind } from '../../domain/eligibility/ip-register.js';
import { dayOfText } from '../../lib/dates.js';
import { insertIpItems, numberKeysTaken } from './ip-register.queries.js';

export interface ListedPatent {
  firmId: number;
  number: unknown;
  type: unknown;
  title: unknown;
  grantDate: unknown;
}

/** A list row as a register item, or null when its number or kind cannot be read. */
export function itemOfListedPatent(p: ListedPatent): { item: IpItem; numberKey: string } | null {
  if (typeof p.number !== 'string') return null;
  const kind = listedPatentKind(p.type, p.number);
  if (!kind) return null;
  const checked = checkPatentNumber(kind, p.number);
  if (!checked.ok) return null;
  const title = typeof p.title === 'string' && p.title.trim() ? p.title.trim().slice(0, 200) : '（由授权专利名单导入）';
  return {
    numberKey: `patent:${checked.normalized}`,
    item: {
      kind,
      number: checked.normalized,
      title,
      appliedOn: null,
      grantedOn: dayOfText(p.grantDate),
      // On the list as the firm's own granted patent; a counsellor corrects it on the inputs page if it was acquired.
      acquisition: 'own',
      coHolders: '',
      coHolderUse: false,
      status: 'valid',
      usedInApplication: null,
      supportsMainProducts: false,
    },
  };
}

/** Enter the list's patents that are not in the register yet; returns the firms that gained items. */
export async function registerListedPatents(db: Db, batchId: number, patents: readonly ListedPatent[], at: string): Promise<{ firmIds: number[]; added: number }> {
  const items = new Map<string, { firmId: number; item: IpItem; numberKey: string }>();
  for (const p of patents) {
    const x = itemOfListedPatent(p);
    if (x && !items.has(x.numberKey)) items.set(x.numberKey, { firmId: p.firmId, ...x });
  }
  const taken = await numberKeysTaken(db, [...items.keys()]);
  const fresh = [...items.values()].filter((x) => !taken.has(x.numberKey));
  await insertIpItems(db, fresh, 'list', at, batchId);
  return { firmIds: [...new Set(fresh.map((x) => x.firmId))], added: fresh.length };
}
