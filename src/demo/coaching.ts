/**
 * Demo coaching data (issue 9 item 10): the default plan templates, plans for most coached firms,
 * a year of interactions (visits, calls, online; some park visits covering several firms, some
 * calls that reached nobody), follow-ups done, cancelled and open — some overdue — consistent with
 * each firm's stage (topics follow what the stage works toward).
 *
 * Dates run up to the later of the demo anchor and today, so a new user always sees a living
 * workspace: overdue items, items due this week and later. Deterministic for a given day and seed.
 * At most COACHED_CAP firms are coached, so large benchmark databases stay quick to load.
 */
import type { Knex } from 'knex';
import { resetIdSequence } from '../db/dialect.js';
import { insertChunked } from '../db/insert-chunked.js';
import { DEFAULT_TEMPLATES } from '../domain/coaching/templates.js';
import { type TopicKey, encodeTopics } from '../domain/coaching/interactions.js';
import { addDays } from '../domain/eligibility/dates.js';
import type { StageKey } from '../domain/stages.js';
import { todayInShanghai } from '../lib/dates.js';
import { Random } from './random.js';

const COACHED_CAP = 1500;

const TOPICS_BY_STAGE: Partial<Record<StageKey, TopicKey[]>> = {
  incubating: ['policy', 'rd_expense', 'ip', 'finance'],
  tech_sme: ['ip', 'rd_expense', 'tech_staff', 'policy'],
  hte_reserve: ['ip', 'rd_expense', 'hitech_income', 'tech_staff', 'organisation'],
  hte_applying: ['rd_expense', 'hitech_income', 'conversion', 'organisation', 'finance'],
  hte_certified: ['policy', 'ip', 'conversion', 'finance'],
  benchmark: ['conversion', 'policy', 'organisation', 'other'],
};

const NEXT_STEPS: Partial<Record<StageKey, string[]>> = {
  incubating: ['寄送科技型中小企业评价政策解读', '协助建立研发费用辅助账', '回访了解入库材料准备情况'],
  tech_sme: ['梳理知识产权清单', '核对研发人员名单与社保', '回访研发项目立项情况'],
  hte_reserve: ['完成知识产权梳理', '研发费用归集辅导', '核算高新技术产品收入', '预评估高企认定条件'],
  hte_applying: ['核对申报材料', '审计报告与专项审计衔接', '答辩准备'],
  hte_certified: ['年度发展情况报表填报提醒', '重新认定准备', '成果转化项目对接'],
  benchmark: ['科技领军企业申报辅导', '研发机构建设对接', '产学研合作对接'],
};

const PEOPLE = ['总经理', '财务负责人', '研发总监', '行政主管', '技术负责人'];
const SURNAMES = ['王', '李', '张', '陈', '周', '吴', '徐', '孙', '胡', '朱'];
const NOTES = ['企业研发投入稳定，专利以实用新型为主，建议加快发明专利布局。', '研发费用与生产成本未分开核算，已讲解归集口径。', '科技人员占比接近 10%，需补齐劳动合同与社保记录。', '企业有申报意愿，材料准备进度一般。', '了解企业新产品研发及市场情况，宣讲相关扶持政策。'];

interface CoachedFirm {
  id: number;
  park_id: number | null;
  counsellor_id: number;
  stage: StageKey;
  lifecycle: string | null;
}

export async function seedCoachingDemo(db: Knex, options: { seed?: number; anchor?: string }): Promise<{ interactions: number; followUps: number }> {
  const rng = new Random((options.seed ?? 20261127) ^ 0x9e3779b9);
  const today = [options.anchor ?? '', todayInShanghai()].sort().at(-1)!;
  const at = new Date().toISOString();

  // Templates.
  let stepId = 1;
  const templateRows = DEFAULT_TEMPLATES.map((t, i) => ({ id: i + 1, lifecycle: t.lifecycle, name: t.name, is_active: true, version: 1, created_at: at, updated_at: at }));
  await insertChunked(db, 'coaching_templates', templateRows);
  await insertChunked(db, 'coaching_template_steps', DEFAULT_TEMPLATES.flatMap((t, i) => t.steps.map((s, p) => ({ id: stepId++, template_id: i + 1, position: p + 1, title: s.title, offset_days: s.offsetDays }))));
  await resetIdSequence(db, 'coaching_templates');
  await resetIdSequence(db, 'coaching_template_steps');

  const firms = (await db('firms')
    .whereNotNull('counsellor_id')
    .whereNotIn('stage', ['candidate', 'exited'])
    .whereNull('withdrawn_batch_id')
    .orderBy('id')
    .limit(COACHED_CAP)
    .select('id', 'park_id', 'counsellor_id', 'stage', 'lifecycle')) as CoachedFirm[];

  const plans: Record<string, unknown>[] = [];
  const interactions: Record<string, unknown>[] = [];
  const links: Record<string, unknown>[] = [];
  const followUps: Record<string, unknown>[] = [];
  let interactionId = 1;
  let followUpId = 1;
  const year = Number(today.slice(0, 4));

  const addInteraction = (group: CoachedFirm[], on: string, channel: string, reached: boolean, withNext: 'open' | 'closed' | 'none') => {
    const lead = group[0]!;
    const topics = TOPICS_BY_STAGE[lead.stage] ?? ['other'];
    const picked = topics.filter(() => rng.chance(0.45));
    const id = interactionId++;
    interactions.push({
      id,
      occurred_on: on,
      channel,
      event_id: null,
      counsellor_id: lead.counsellor_id,
      people_met: reached && channel !== 'phone' ? `${rng.pick(PEOPLE)} ${rng.pick(SURNAMES)}${rng.pick(['先生', '女士'])}` : null,
      reached,
      topics: reached ? encodeTopics(picked.length ? picked : [topics[0]!]) || null : null,
      notes: reached ? rng.pick(NOTES) : '电话无人接听，改日再联系。',
      outcome: reached && rng.chance(0.5) ? '企业认可辅导建议，将按计划整改。' : null,
      no_follow_up: withNext === 'none',
      created_by: lead.counsellor_id,
      created_at: `${on}T02:00:00.000Z`,
    });
    for (const f of group) links.push({ interaction_id: id, firm_id: f.id });
    if (withNext === 'none') return;
    for (const f of group) {
      const due = addDays(on, rng.int(5, 40));
      const title = reached ? rng.pick(NEXT_STEPS[f.stage] ?? ['回访']) : '再次电话联系';
      const closed = withNext === 'closed';
      const cancelled = closed && rng.chance(0.12);
      const doneOn = closed && !cancelled ? ([addDays(due, rng.int(-6, 6)), today].sort()[0]!) : null;
      followUps.push({
        id: followUpId++,
        firm_id: f.id,
        title,
        due_on: due,
        status: closed ? (cancelled ? 'cancelled' : 'done') : 'open',
        source_interaction_id: id,
        source_event_id: null,
        source_template_id: null,
        done_on: doneOn,
        result: doneOn ? rng.pick(['已完成，企业已提交材料。', '已电话确认，按计划推进。', '已寄送资料，企业确认收到。']) : null,
        cancel_reason: cancelled ? rng.pick(['企业暂缓申报', '由活动跟进替代']) : null,
        closed_by: closed ? f.counsellor_id : null,
        closed_at: closed ? `${doneOn ?? due}T08:00:00.000Z` : null,
        created_by: f.counsellor_id,
        version: closed ? 2 : 1,
        created_at: `${on}T02:00:00.000Z`,
        updated_at: closed ? `${doneOn ?? due}T08:00:00.000Z` : `${on}T02:00:00.000Z`,
      });
    }
  };

  // Park visits: a counsellor visits several of their firms in one park on one day.
  const byParkCounsellor = new Map<string, CoachedFirm[]>();
  for (const f of firms) {
    const key = `${f.park_id}:${f.counsellor_id}`;
    byParkCounsellor.set(key, [...(byParkCounsellor.get(key) ?? []), f]);
  }
  for (const group of byParkCounsellor.values()) {
    if (group.length < 3 || !rng.chance(0.6)) continue;
    const visited = group.filter(() => rng.chance(0.3)).slice(0, 6);
    if (visited.length >= 2) addInteraction(visited, addDays(today, -rng.int(60, 300)), 'visit', true, 'closed');
  }

  for (const f of firms) {
    if (rng.chance(0.7)) {
      const targets: Partial<Record<StageKey, string>> = { incubating: 'tsme', tech_sme: 'hte', hte_reserve: 'hte', hte_applying: 'hte', hte_certified: 'benchmark', benchmark: 'benchmark' };
      plans.push({
        firm_id: f.id,
        goals: f.stage === 'hte_certified' ? '保持高企资格，准备到期重新认定。' : f.stage === 'benchmark' ? '建设研发机构，争创科技领军企业。' : '补齐认定条件短板，按计划申报。',
        target_certification: targets[f.stage] ?? null,
        target_year: year + (f.stage === 'hte_applying' ? 0 : rng.int(0, 2)),
        version: 1,
        updated_by: f.counsellor_id,
        created_at: at,
        updated_at: at,
      });
    }
    // About one firm in eight has had no successful contact for a long time.
    const neglected = rng.chance(0.12);
    const count = neglected ? rng.int(0, 1) : rng.int(2, 6);
    const dates = Array.from({ length: count }, () => addDays(today, -rng.int(neglected ? 200 : 3, 360))).sort();
    dates.forEach((on, i) => {
      const last = i === dates.length - 1;
      const reached = neglected ? false : !rng.chance(0.12);
      const channel = rng.weighted([['visit', 5], ['phone', 3], ['online', 2]] as const);
      addInteraction([f], on, channel, reached, last ? (rng.chance(0.1) ? 'none' : 'open') : rng.chance(0.2) ? 'none' : 'closed');
    });
  }

  await insertChunked(db, 'coaching_plans', plans);
  await insertChunked(db, 'interactions', interactions);
  await insertChunked(db, 'interaction_firms', links);
  await insertChunked(db, 'follow_ups', followUps);
  await resetIdSequence(db, 'coaching_plans');
  await resetIdSequence(db, 'interactions');
  await resetIdSequence(db, 'follow_ups');
  return { interactions: interactions.length, followUps: followUps.length };
}
