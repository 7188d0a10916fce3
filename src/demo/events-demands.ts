/**
 * Demo data for coaching events and technical demands (issue 9 item 10): six events of the anchor
 * year with attendance (four wrapped up — their interactions and follow-ups made as the app makes
 * them —, one held and checked in but not yet wrapped up, one to come), and about 120 technical
 * demands in every status, consistent with the firms' stages: a firm in 孵化培育 holds only early
 * demands, resolved ones sit with firms of the reserve and beyond. Deterministic.
 */
import type { Knex } from 'knex';
import { planWrapUp } from '../domain/events.js';
import type { DemandStatus } from '../domain/demands.js';
import { shanghaiStartOfDay } from '../lib/dates.js';
import { insertFollowUps } from '../features/coaching/follow-ups.queries.js';
import { insertInteraction } from '../features/coaching/interactions.queries.js';
import { Random } from './random.js';

const idOf = (r: unknown) => (typeof r === 'object' && r !== null ? Number((r as { id: number }).id) : Number(r));

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '涛', '明', '超', '秀英', '华', '建国', '志刚', '晓东', '海燕', '文杰', '雪梅', '国庆', '永刚', '丽娟', '佳怡', '子豪', '浩然'];
const POSITIONS = ['总经理', '技术总监', '研发经理', '财务经理', '项目主管', '行政主管', '知识产权专员', '副总经理'];
const PARTNERS: [string, string][] = [
  ['university', '宁波大学'], ['university', '浙江大学宁波理工学院'], ['university', '宁波诺丁汉大学'], ['university', '浙江万里学院'],
  ['university', '宁波工程学院'], ['institute', '中国科学院宁波材料技术与工程研究所'], ['institute', '浙江大学宁波“五位一体”校区'],
  ['institute', '宁波市农业科学研究院'], ['institute', '余姚市机器人研究中心'], ['firm', '宁波舜宇光电信息有限公司'], ['firm', '余姚市塑料模具技术服务中心'],
];
const DEMAND_TITLES: Record<string, string[]> = {
  electronic_info: ['嵌入式控制板低功耗设计', '工业视觉缺陷检测算法', '设备远程运维平台开发', '光学镜头镀膜均匀性提升'],
  biomedicine: ['医用高分子材料生物相容性检测', '中药提取工艺优化', '体外诊断试剂稳定性提升'],
  aerospace: ['航空紧固件表面处理工艺', '轻量化结构件疲劳测试'],
  new_materials: ['高导热复合材料配方优化', '改性塑料阻燃性能提升', '再生材料力学性能改进', '薄膜材料耐候性提升'],
  hitech_services: ['检测数据管理系统建设', '工业设计数字化协同平台'],
  new_energy: ['光伏组件封装效率提升', '储能电池热管理方案', '电机能效提升设计'],
  resources_environment: ['喷涂废气治理工艺', '废水中重金属回收技术'],
  advanced_manufacturing: ['注塑模具冷却系统优化', '数控加工精度提升', '自动化装配产线改造', '精密铸件气孔缺陷控制'],
};
const BUDGETS = ['under_10', '10_50', '50_100', '100_500', 'over_500', 'undecided'];
const TOPIC_SETS = [['ip', 'rd_expense'], ['policy', 'hitech_income'], ['conversion', 'tech_staff'], ['rd_expense', 'finance'], ['policy'], ['ip', 'conversion']];

/** Statuses a demand may have reached given the firm's stage (and the weights used). */
function statusFor(rng: Random, stage: string): DemandStatus {
  if (stage === 'incubating') return rng.weighted([['collected', 5], ['diagnosed', 3], ['closed', 1]] as const);
  if (stage === 'tech_sme') return rng.weighted([['collected', 3], ['diagnosed', 3], ['published', 3], ['matching', 3], ['long_term', 1], ['closed', 1]] as const);
  return rng.weighted([['collected', 2], ['diagnosed', 2], ['published', 2], ['matching', 3], ['resolved', 4], ['long_term', 2], ['closed', 1]] as const);
}

const PATH: Record<DemandStatus, DemandStatus[]> = {
  collected: ['collected'],
  diagnosed: ['collected', 'diagnosed'],
  published: ['collected', 'diagnosed', 'published'],
  matching: ['collected', 'diagnosed', 'published', 'matching'],
  resolved: ['collected', 'diagnosed', 'published', 'matching', 'resolved'],
  long_term: ['collected', 'diagnosed', 'published', 'long_term'],
  closed: ['collected', 'diagnosed', 'closed'],
};

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const noon = (date: string) => new Date(Date.parse(shanghaiStartOfDay(date)) + 4 * 3600_000 + 1000).toISOString();

interface DemoFirm {
  id: number;
  stage: string;
  field: string | null;
  counsellor_id: number | null;
  contact_name: string | null;
}

export async function seedEventsAndDemands(db: Knex, opts: { seed: number; anchor: string; caseworkerId: number; counsellorIds: number[] }): Promise<{ events: number; demands: number }> {
  const rng = new Random(opts.seed);
  const anchorYear = Number(opts.anchor.slice(0, 4));
  const firms = (await db('firms')
    .whereIn('stage', ['incubating', 'tech_sme', 'hte_reserve', 'hte_applying', 'hte_certified', 'benchmark'])
    .whereNotNull('counsellor_id')
    .orderBy('id')
    .select('id', 'stage', 'field', 'counsellor_id', 'contact_name')) as DemoFirm[];
  if (!firms.length) return { events: 0, demands: 0 };
  const person = () => `${rng.pick([...SURNAMES])}${rng.pick(GIVEN)}`;

  let demandCount = 0;
  let eventCount = 0;
  await db.transaction(async (trx) => {
    // ——— technical demands: ~120, 100+ collected in the anchor year up to the anchor date ———
    const total = Math.min(122, firms.length);
    const chosen = [...firms].sort(() => rng.next() - 0.5).slice(0, total);
    for (const [n, firm] of chosen.entries()) {
      const status = statusFor(rng, firm.stage);
      const field = firm.field ?? 'advanced_manufacturing';
      // The last 14 collected in the year before; the rest from January to the anchor.
      const collectedOn = n < total - 14 ? addDays(`${anchorYear}-01-06`, rng.int(0, 300)) : addDays(`${anchorYear - 1}-03-01`, rng.int(0, 280));
      const on = collectedOn > opts.anchor ? opts.anchor : collectedOn;
      const actor = firm.counsellor_id ?? opts.caseworkerId;
      const path = PATH[status];
      const dates = path.map((_, i) => (i === 0 ? on : null));
      for (let i = 1; i < path.length; i++) dates[i] = addDays(dates[i - 1]!, rng.int(5, 40));
      for (let i = 1; i < path.length; i++) if (dates[i]! > opts.anchor) dates[i] = opts.anchor;
      const last = dates.at(-1)!;
      const resolved = status === 'resolved';
      const [row] = await trx('demands').insert({
        firm_id: firm.id,
        title: rng.pick(DEMAND_TITLES[field] ?? DEMAND_TITLES.advanced_manufacturing!),
        field,
        description: '企业在生产中遇到的技术难题，需外部技术力量协助攻关。（演示数据）',
        targets: rng.pick(['良品率由 92% 提高到 98% 以上', '能耗降低 15%', '检测时间由 8 小时缩短到 2 小时', '关键指标达到行业标准 A 级']),
        budget_band: rng.pick(BUDGETS),
        contact_name: firm.contact_name ?? person(),
        status,
        collected_on: on,
        resolution: resolved ? '与对接方签订技术开发合同，联合攻关完成并通过企业验收' : null,
        contract_value: resolved && rng.chance(0.8) ? rng.int(5, 120) * 10_000 : null,
        resolved_on: resolved ? last : null,
        status_reason: status === 'closed' ? rng.pick(['企业调整产品方向，需求取消', '暂无合适的对接团队', '企业已自行解决']) : null,
        created_by: actor,
        version: path.length,
        created_at: noon(on),
        updated_at: noon(last),
      }).returning('id');
      const demandId = idOf(row);
      demandCount++;
      await trx('demand_changes').insert(path.map((s, i) => ({
        demand_id: demandId,
        kind: i === 0 ? 'create' : 'move',
        from_status: i === 0 ? null : path[i - 1],
        to_status: s,
        reason: s === 'closed' ? rng.pick(['企业调整产品方向，需求取消', '暂无合适的对接团队']) : null,
        details: null,
        actor_id: actor,
        at: noon(dates[i]!),
      })));
      if (path.includes('matching') || status === 'long_term') {
        const [kind, name] = rng.pick(PARTNERS);
        const started = dates[Math.max(0, path.indexOf('matching'))] ?? dates.at(-1)!;
        await trx('demand_partners').insert({ demand_id: demandId, kind, name, contact: `${person()}（教授）`, started_on: started, created_by: actor, created_at: noon(started) });
      }
    }

    // ——— six events of the anchor year ———
    const plans = [
      { kind: 'clinic', title: `${anchorYear}年高新技术企业申报讲诊会（第一期）`, on: `${anchorYear}-03-18`, place: '余姚市科技局三楼会议室', invited: 24, wrap: true },
      { kind: 'training', title: '研发费用归集与加计扣除实务培训', on: `${anchorYear}-05-26`, place: '余姚经济开发区创业服务中心', invited: 30, wrap: true },
      { kind: 'matchmaking', title: '宁波大学—余姚企业产学研对接会', on: `${anchorYear}-07-09`, place: '宁波大学科技园', invited: 16, wrap: true },
      { kind: 'policy', title: '科技型中小企业评价政策宣讲会', on: `${anchorYear}-09-17`, place: '泗门镇政府会议中心', invited: 20, wrap: true },
      { kind: 'clinic', title: `${anchorYear}年高新技术企业申报讲诊会（第二期）`, on: addDays(opts.anchor, -2), place: '余姚市科技局三楼会议室', invited: 18, wrap: false },
      { kind: 'matchmaking', title: '中科院宁波材料所技术成果对接活动', on: addDays(opts.anchor, 20), place: '中国科学院宁波材料所', invited: 12, wrap: false },
    ] as const;
    const pool = firms.filter((f) => f.stage !== 'incubating' || rng.chance(0.3));
    for (const [k, p] of plans.entries()) {
      const owner = k % 3 === 0 ? opts.caseworkerId : opts.counsellorIds[k % opts.counsellorIds.length] ?? opts.caseworkerId;
      const at = noon(addDays(p.on, -14));
      const topics = TOPIC_SETS[k % TOPIC_SETS.length]!.join(',');
      const [e] = await trx('coaching_events').insert({ kind: p.kind, title: p.title, starts_on: p.on, ends_on: p.on, place: p.place, organiser: '余姚市科学技术局', topics, owner_id: owner, version: 1, created_at: at, updated_at: at }).returning('id');
      const eventId = idOf(e);
      eventCount++;
      const held = p.on <= opts.anchor;
      const invitees = [...pool].sort(() => rng.next() - 0.5).slice(0, p.invited);
      const rows: { id: number; firmId: number; status: string }[] = [];
      for (const f of invitees) {
        const status = held ? rng.weighted([['attended', 7], ['absent', 2], ['cancelled', 1]] as const) : rng.weighted([['invited', 1], ['registered', 2]] as const);
        const [inv] = await trx('event_invitations').insert({ event_id: eventId, firm_id: f.id, status, checked_in_at: status === 'attended' ? noon(p.on) : null, invited_by: owner, version: 1, created_at: at, updated_at: held ? noon(p.on) : at }).returning('id');
        const invitationId = idOf(inv);
        rows.push({ id: invitationId, firmId: f.id, status });
        if (status !== 'cancelled') {
          const people = rng.int(1, 2);
          await trx('event_attendees').insert(Array.from({ length: people }, () => ({ invitation_id: invitationId, name: person(), position: rng.pick(POSITIONS), phone: `13${rng.int(100000000, 999999999)}`, signed_in: status === 'attended', created_at: at })));
        }
      }
      if (!p.wrap) continue;
      // The after-event action, as the app runs it (domain/events.ts planWrapUp).
      const wrapAt = noon(addDays(p.on, 1));
      const decision = planWrapUp({ title: p.title, startsOn: p.on, endsOn: p.on, wrappedUp: false }, rows.map((r) => ({ id: r.id, firmId: r.firmId, status: r.status as 'attended' })), addDays(p.on, 1));
      if (!decision.ok) continue;
      const { plan } = decision;
      const interactionId = plan.attendedFirmIds.length
        ? await insertInteraction(trx, { firmIds: plan.attendedFirmIds, occurredOn: p.on, channel: 'event', eventId, counsellorId: owner, reached: true, topics: topics.split(',') as never, notes: `参加${p.title}（${p.on}，${p.place}）`, createdBy: owner, at: wrapAt })
        : null;
      const ids = await insertFollowUps(trx, plan.followUps.map((f) => ({ firmId: f.firmId, title: f.title, dueOn: f.dueOn, sourceEventId: eventId, sourceInteractionId: f.kind === 'action' ? interactionId : null, createdBy: owner, at: wrapAt })));
      for (const [i, f] of plan.followUps.entries()) {
        await trx('event_invitations').where({ id: f.invitationId }).update({ follow_up_id: ids[i], interaction_id: f.kind === 'action' ? interactionId : null });
        // Most follow-ups of the early events are done by now; a few stay open (overdue).
        if (rng.chance(k < 3 ? 0.8 : 0.4)) {
          const doneOn = addDays(f.dueOn, rng.int(-6, 3));
          await trx('follow_ups').where({ id: ids[i] }).update({ status: 'done', done_on: doneOn, result: f.kind === 'action' ? '已落实：企业完成材料梳理' : '已电话回访，补发活动资料', closed_by: owner, closed_at: noon(doneOn), version: 2, updated_at: noon(doneOn) });
        }
      }
      await trx('event_invitations').whereIn('id', plan.markAbsent).update({ status: 'absent' });
      await trx('coaching_events').where({ id: eventId }).update({ wrapped_up_at: wrapAt, wrapped_up_by: owner, version: 2, updated_at: wrapAt });
    }
  });
  return { events: eventCount, demands: demandCount };
}
