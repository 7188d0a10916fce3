/**
 * Demo data for coaching events and technical demands (issue 9 item 10): six events with
 * attendance (four wrapped up — their follow-ups made as the app makes them —, one held and checked
 * in but not yet wrapped up, one to come), and about 120 technical demands in every status,
 * consistent with the firms' stages: a firm in 孵化培育 holds only early demands, resolved ones sit
 * with firms of the reserve and beyond.
 *
 * Dated from `today` (the later of the demo anchor and the real day, as the interactions of
 * coaching.ts are), so a fresh clone in any year has this year's events with attendance and this
 * year's demands in every status — the bureau's 100 collected a year. Attendance is recorded as
 * check-ins record it: each held event's attending firms in its one attendance record (an
 * interaction, channel 活动). Statuses are dealt in turn, not drawn, so every status is there
 * whatever the seed. Deterministic for a given day and seed.
 */
import type { Knex } from 'knex';
import { attendanceNotes, planWrapUp } from '../domain/events.js';
import type { DemandStatus } from '../domain/demands.js';
import { daysBetween } from '../domain/eligibility/dates.js';
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

/**
 * The statuses a demand may have reached given the firm's stage, dealt in turn per kind of firm
 * (in the proportions the demo wants). Each cycle opens with every status its kind may reach, so the
 * first firms of each kind already hold them all: with seven firms of the reserve or beyond among
 * the year's demands, every status is there.
 */
const STATUS_CYCLES: Record<'early' | 'middle' | 'late', DemandStatus[]> = {
  early: ['collected', 'diagnosed', 'closed', 'collected', 'diagnosed', 'collected', 'collected', 'diagnosed', 'collected'],
  middle: ['collected', 'diagnosed', 'published', 'matching', 'long_term', 'closed', 'collected', 'diagnosed', 'published', 'matching', 'collected', 'diagnosed', 'published', 'matching'],
  late: ['resolved', 'matching', 'long_term', 'closed', 'published', 'diagnosed', 'collected', 'resolved', 'matching', 'resolved', 'long_term', 'published', 'diagnosed', 'collected', 'matching', 'resolved'],
};
const kindOfStage = (stage: string): keyof typeof STATUS_CYCLES => (stage === 'incubating' ? 'early' : stage === 'tech_sme' ? 'middle' : 'late');

/** Attendance at a held event, dealt in turn (7 : 2 : 1), so the first firm invited attended. */
const HELD_CYCLE = ['attended', 'attended', 'absent', 'attended', 'attended', 'cancelled', 'attended', 'absent', 'attended', 'attended'] as const;

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
/** When something of `date` was recorded: that morning, or now if the morning has not come yet. */
const recorded = (date: string) => [noon(date), new Date().toISOString()].sort()[0]!;

interface DemoFirm {
  id: number;
  stage: string;
  field: string | null;
  counsellor_id: number | null;
  contact_name: string | null;
}

export async function seedEventsAndDemands(db: Knex, opts: { seed: number; today: string; caseworkerId: number; counsellorIds: number[] }): Promise<{ events: number; demands: number }> {
  const rng = new Random(opts.seed);
  const today = opts.today;
  const year = Number(today.slice(0, 4));
  const yearStart = `${year}-01-01`;
  const daysIntoYear = daysBetween(yearStart, today);
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
    // ——— technical demands: ~120, 100+ collected this year (from 1 January to today) ———
    const total = Math.min(122, firms.length);
    const chosen = [...firms].sort(() => rng.next() - 0.5).slice(0, total);
    const dealt = { early: 0, middle: 0, late: 0 };
    for (const [n, firm] of chosen.entries()) {
      const kind = kindOfStage(firm.stage);
      const cycle = STATUS_CYCLES[kind];
      const status = cycle[dealt[kind]++ % cycle.length]!;
      const field = firm.field ?? 'advanced_manufacturing';
      // The last 14 collected in the year before; the rest spread over this year so far.
      const on = n < total - 14 ? addDays(yearStart, Math.floor(rng.next() * (daysIntoYear + 1))) : addDays(`${year - 1}-03-01`, rng.int(0, 280));
      const actor = firm.counsellor_id ?? opts.caseworkerId;
      const path = PATH[status];
      const dates = path.map((_, i) => (i === 0 ? on : null));
      for (let i = 1; i < path.length; i++) dates[i] = addDays(dates[i - 1]!, rng.int(5, 40));
      for (let i = 1; i < path.length; i++) if (dates[i]! > today) dates[i] = today;
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
        created_at: recorded(on),
        updated_at: recorded(last),
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
        at: recorded(dates[i]!),
      })));
      if (path.includes('matching') || status === 'long_term') {
        const [kind, name] = rng.pick(PARTNERS);
        const started = dates[Math.max(0, path.indexOf('matching'))] ?? dates.at(-1)!;
        await trx('demand_partners').insert({ demand_id: demandId, kind, name, contact: `${person()}（教授）`, started_on: started, created_by: actor, created_at: recorded(started) });
      }
    }

    // ——— six events around today: four held and wrapped up, one held days ago (this year, even on
    // 1 January) and checked in, one to come ———
    const heldLately = [addDays(today, -2), yearStart].sort().at(-1)!;
    const plans = [
      { kind: 'clinic', title: '高新技术企业申报讲诊会（第一期）', on: addDays(today, -250), place: '余姚市科技局三楼会议室', invited: 24, wrap: true },
      { kind: 'training', title: '研发费用归集与加计扣除实务培训', on: addDays(today, -190), place: '余姚经济开发区创业服务中心', invited: 30, wrap: true },
      { kind: 'matchmaking', title: '宁波大学—余姚企业产学研对接会', on: addDays(today, -130), place: '宁波大学科技园', invited: 16, wrap: true },
      { kind: 'policy', title: '科技型中小企业评价政策宣讲会', on: addDays(today, -70), place: '泗门镇政府会议中心', invited: 20, wrap: true },
      { kind: 'clinic', title: '高新技术企业申报讲诊会（第二期）', on: heldLately, place: '余姚市科技局三楼会议室', invited: 18, wrap: false },
      { kind: 'matchmaking', title: '中科院宁波材料所技术成果对接活动', on: addDays(today, 20), place: '中国科学院宁波材料所', invited: 12, wrap: false },
    ] as const;
    const pool = firms.filter((f) => f.stage !== 'incubating' || rng.chance(0.3));
    for (const [k, p] of plans.entries()) {
      const owner = k % 3 === 0 ? opts.caseworkerId : opts.counsellorIds[k % opts.counsellorIds.length] ?? opts.caseworkerId;
      const title = `${p.on.slice(0, 4)}年${p.title}`;
      const at = recorded([addDays(p.on, -14), today].sort()[0]!);
      const topics = TOPIC_SETS[k % TOPIC_SETS.length]!.join(',');
      const [e] = await trx('coaching_events').insert({ kind: p.kind, title, starts_on: p.on, ends_on: p.on, place: p.place, organiser: '余姚市科学技术局', topics, owner_id: owner, version: 1, created_at: at, updated_at: at }).returning('id');
      const eventId = idOf(e);
      eventCount++;
      const held = p.on <= today;
      const invitees = [...pool].sort(() => rng.next() - 0.5).slice(0, p.invited);
      const rows: { id: number; firmId: number; status: string }[] = [];
      for (const [n, f] of invitees.entries()) {
        const status = held ? HELD_CYCLE[n % HELD_CYCLE.length]! : rng.weighted([['invited', 1], ['registered', 2]] as const);
        const [inv] = await trx('event_invitations').insert({ event_id: eventId, firm_id: f.id, status, checked_in_at: status === 'attended' ? recorded(p.on) : null, invited_by: owner, version: 1, created_at: at, updated_at: held ? recorded(p.on) : at }).returning('id');
        const invitationId = idOf(inv);
        rows.push({ id: invitationId, firmId: f.id, status });
        if (status !== 'cancelled') {
          const people = rng.int(1, 2);
          await trx('event_attendees').insert(Array.from({ length: people }, () => ({ invitation_id: invitationId, name: person(), position: rng.pick(POSITIONS), phone: `13${rng.int(100000000, 999999999)}`, signed_in: status === 'attended', created_at: at })));
        }
      }
      // The check-in, as the app records it: the attending firms in the event's one attendance record.
      const attended = rows.filter((r) => r.status === 'attended');
      const interactionId = attended.length
        ? await insertInteraction(trx, { firmIds: attended.map((r) => r.firmId), occurredOn: p.on, channel: 'event', eventId, counsellorId: owner, reached: true, topics: topics.split(',') as never, notes: attendanceNotes({ title, startsOn: p.on, endsOn: p.on, place: p.place }), createdBy: owner, at: recorded(p.on) })
        : null;
      if (interactionId !== null) await trx('event_invitations').whereIn('id', attended.map((r) => r.id)).update({ interaction_id: interactionId });
      if (!p.wrap) continue;
      // The after-event action, as the app runs it (domain/events.ts planWrapUp).
      const wrapOn = addDays(p.on, 1);
      const wrapAt = recorded(wrapOn);
      const decision = planWrapUp({ title, startsOn: p.on, endsOn: p.on, wrappedUp: false }, rows.map((r) => ({ id: r.id, firmId: r.firmId, status: r.status as 'attended' })), wrapOn);
      if (!decision.ok) continue;
      const { plan } = decision;
      const ids = await insertFollowUps(trx, plan.followUps.map((f) => ({ firmId: f.firmId, title: f.title, dueOn: f.dueOn, sourceEventId: eventId, sourceInteractionId: f.kind === 'action' ? interactionId : null, createdBy: owner, at: wrapAt })));
      for (const [i, f] of plan.followUps.entries()) {
        await trx('event_invitations').where({ id: f.invitationId }).update({ follow_up_id: ids[i] });
        // Most follow-ups of the early events are done by now; a few stay open (overdue).
        if (rng.chance(k < 3 ? 0.8 : 0.4)) {
          const doneOn = [addDays(f.dueOn, rng.int(-6, 3)), today].sort()[0]!;
          await trx('follow_ups').where({ id: ids[i] }).update({ status: 'done', done_on: doneOn, result: f.kind === 'action' ? '已落实：企业完成材料梳理' : '已电话回访，补发活动资料', closed_by: owner, closed_at: recorded(doneOn), version: 2, updated_at: recorded(doneOn) });
        }
      }
      await trx('event_invitations').whereIn('id', plan.markAbsent).update({ status: 'absent' });
      await trx('coaching_events').where({ id: eventId }).update({ wrapped_up_at: wrapAt, wrapped_up_by: owner, version: 2, updated_at: wrapAt });
    }
  });
  return { events: eventCount, demands: demandCount };
}
