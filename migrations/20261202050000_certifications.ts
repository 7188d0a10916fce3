import type { Knex } from 'knex';

/**
 * The certification register (资质), the compliance calendar's ticks and per-year settings (issue 10).
 *
 * 1. `certifications`: one row per firm × kind × year (or certificate). Kinds:
 *    - `tsme`        科技型中小企业 (national evaluation, 2017 办法): `year` = 评价年度, `number` = 入库登记编号
 *                    (第十一条), `issued_on` = registration date; status active (registered) / revoked (第十四条);
 *                    valid for that evaluation year only.
 *    - `tsme_prov`   省级科技型中小企业: year, number if any, date; the agency comes from the year's settings.
 *    - `hte`         高新技术企业: `year` = batch year, `mode` first / renewal, the steps applied_on (申报) →
 *                    publicized_on (公示/拟认定) → filed_on (备案) → issued_on (证书), `number` GR + 12 digits,
 *                    `valid_until` (办法 第九条 + 民法典 第二百零二条, or a caseworker's override), status pending /
 *                    active / failed / revoked (cancelled, 第十九条 reason in status_reason_code).
 *    - `leading`     科技领军企业, `little_giant` 科技小巨人: year and `level`.
 *    Rows are never deleted: a mistaken row is voided (`is_void`).
 * 2. `certification_history`: every write of a row appends its full state with `recorded_at`, so a
 *    report computed "as of" an instant reads the register as it then stood, and a later correction
 *    shows as a correction (issue 10 item 5).
 * 3. `compliance_ticks`: "reported" ticks for the HTE annual report (办法 第十三条, one per data year) and
 *    the tech-SME 信息表 update (2017 办法 第十二条); removing a tick stamps `removed_at` (kept, dated).
 * 4. `certification_changes`: name changes and major changes of a certified firm (办法 第十七条, 2017 办法
 *    第十三条), each due to be reported within three months.
 * 5. `certification_year_settings`: per year, the agency issuing 省级科技型中小企业 (科技厅 or 经信厅), the local
 *    deadline of the HTE annual report (default 31 May) and of the tech-SME 信息表 update (default 31 March).
 * 6. The certificates recorded so far only inside stage events (moves into hte_certified) become rows.
 */
const SNAPSHOT_COLUMNS = (t: Knex.CreateTableBuilder) => {
  t.integer('firm_id').notNullable();
  t.string('kind', 20).notNullable();
  t.integer('year').notNullable();
  t.string('number', 40);
  t.string('level', 20);
  t.string('mode', 10);
  t.date('applied_on');
  t.date('publicized_on');
  t.date('filed_on');
  t.date('issued_on');
  t.date('valid_until');
  t.boolean('valid_until_override').notNullable().defaultTo(false);
  t.string('status', 12).notNullable();
  t.string('status_reason_code', 40);
  t.text('status_reason');
  t.date('status_on');
  t.text('note');
  t.boolean('is_void').notNullable().defaultTo(false);
  t.integer('version').notNullable().defaultTo(1);
};

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('certifications', (t) => {
    t.increments('id');
    SNAPSHOT_COLUMNS(t);
    t.foreign('firm_id').references('firms.id');
    t.string('source', 20).notNullable(); // register | board | import | migration | seed
    t.integer('import_batch_id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.integer('created_by').references('users.id');
    t.integer('updated_by').references('users.id');
    t.index(['firm_id', 'kind', 'year'], 'certifications_firm_kind_year');
    t.index(['kind', 'year'], 'certifications_kind_year');
    t.index(['kind', 'issued_on'], 'certifications_kind_issued');
    t.index(['kind', 'valid_until'], 'certifications_kind_valid_until');
    t.index(['import_batch_id'], 'certifications_batch');
  });
  await knex.schema.alterTable('certifications', (t) => {
    // One row per firm, kind and year; a number (certificate, 入库登记编号) is held by one row only.
    t.unique(['firm_id', 'kind', 'year'], { indexName: 'certifications_one_per_year', predicate: knex.whereRaw('NOT is_void') });
    t.unique(['kind', 'number'], { indexName: 'certifications_number_once', predicate: knex.whereRaw('number IS NOT NULL AND NOT is_void') });
  });

  await knex.schema.createTable('certification_history', (t) => {
    t.bigIncrements('id');
    t.integer('certification_id').notNullable().references('certifications.id');
    SNAPSHOT_COLUMNS(t);
    t.string('change', 12).notNullable(); // create | update | correct | cancel | void
    t.timestamp('recorded_at', { useTz: true }).notNullable();
    t.integer('recorded_by').references('users.id');
    t.index(['certification_id', 'recorded_at'], 'certification_history_cert_at');
    t.index(['recorded_at'], 'certification_history_at');
  });

  await knex.schema.createTable('compliance_ticks', (t) => {
    t.increments('id');
    t.integer('certification_id').notNullable().references('certifications.id');
    t.string('kind', 30).notNullable(); // hte_annual_report | tsme_info_update
    t.integer('data_year').notNullable();
    t.date('reported_on');
    t.text('note');
    t.timestamp('recorded_at', { useTz: true }).notNullable();
    t.integer('recorded_by').references('users.id');
    t.timestamp('removed_at', { useTz: true });
    t.integer('removed_by').references('users.id');
    t.index(['certification_id', 'kind', 'data_year'], 'compliance_ticks_cert');
  });
  await knex.schema.alterTable('compliance_ticks', (t) => {
    t.unique(['certification_id', 'kind', 'data_year'], { indexName: 'compliance_ticks_once', predicate: knex.whereRaw('removed_at IS NULL') });
  });

  await knex.schema.createTable('certification_changes', (t) => {
    t.increments('id');
    t.integer('firm_id').notNullable().references('firms.id');
    t.string('kind', 12).notNullable(); // rename | major
    t.date('event_on').notNullable();
    t.date('due_on').notNullable();
    t.text('description');
    t.date('reported_on');
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('recorded_at', { useTz: true }).notNullable();
    t.integer('recorded_by').references('users.id');
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.timestamp('removed_at', { useTz: true });
    t.index(['firm_id', 'event_on'], 'certification_changes_firm');
    t.index(['due_on'], 'certification_changes_due');
  });

  await knex.schema.createTable('certification_year_settings', (t) => {
    t.integer('year').primary();
    t.string('provincial_agency', 20); // 科技厅 | 经信厅
    t.date('hte_report_due_on'); // local deadline of the annual report filed in this year (default YYYY-05-31)
    t.date('tsme_info_due_on'); // deadline of the 信息表 update filed in this year (default YYYY-03-31)
    t.integer('version').notNullable().defaultTo(1);
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.integer('updated_by').references('users.id');
  });

  await migrateStageEventCertificates(knex);
}

/** 办法 第九条 + 民法典 第二百零二条: the same day three years later, or the month's end (frozen copy). */
function threeYearsLater(date: string): string {
  const y = Number(date.slice(0, 4)) + 3;
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${y}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/**
 * Certificates recorded in stage events (details.certificateNo / certificateDate on moves into
 * hte_certified) become HTE rows: batch year = the issue year, the first certificate of a firm
 * 'first', later ones 'renewal', applied_on from the latest move into hte_applying before it. A
 * number already taken by an earlier row (of any firm) is not copied twice: the later event keeps
 * it only in its details, and the row gets no number, with a note saying so.
 */
async function migrateStageEventCertificates(knex: Knex): Promise<void> {
  const events = (await knex('stage_events')
    .whereIn('to_stage', ['hte_certified', 'hte_applying'])
    .orderBy([{ column: 'firm_id' }, { column: 'at' }, { column: 'id' }])
    .select('id', 'firm_id', 'to_stage', 'details', 'actor_id', 'at')) as { id: number; firm_id: number; to_stage: string; details: string | null; actor_id: number; at: string }[];
  const at = new Date().toISOString();
  const numbers = new Set<string>();
  const seenFirmYear = new Set<string>();
  const countByFirm = new Map<number, number>();
  const lastApplying = new Map<number, string>();
  const rows: Record<string, unknown>[] = [];
  for (const e of events) {
    const when = typeof e.at === 'string' ? e.at : new Date(e.at as unknown as string).toISOString();
    if (e.to_stage === 'hte_applying') {
      const shanghai = new Date(Date.parse(when) + 8 * 3600 * 1000).toISOString().slice(0, 10);
      lastApplying.set(e.firm_id, shanghai);
      continue;
    }
    if (!e.details) continue;
    let details: { certificateNo?: unknown; certificateDate?: unknown };
    try {
      details = JSON.parse(e.details) as typeof details;
    } catch {
      continue;
    }
    const no = typeof details.certificateNo === 'string' && /^GR\d{12}$/.test(details.certificateNo) ? details.certificateNo : null;
    const date = typeof details.certificateDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(details.certificateDate) ? details.certificateDate : null;
    if (!date) continue;
    const year = Number(date.slice(0, 4));
    const firmYear = `${e.firm_id}|${year}`;
    if (seenFirmYear.has(firmYear)) continue; // the same certificate entered again after a step back
    seenFirmYear.add(firmYear);
    const n = countByFirm.get(e.firm_id) ?? 0;
    countByFirm.set(e.firm_id, n + 1);
    const taken = no !== null && numbers.has(no);
    if (no && !taken) numbers.add(no);
    const applied = lastApplying.get(e.firm_id) ?? null;
    lastApplying.delete(e.firm_id); // an application belongs to one certificate
    rows.push({
      firm_id: e.firm_id,
      kind: 'hte',
      year,
      number: taken ? null : no,
      mode: n === 0 ? 'first' : 'renewal',
      applied_on: applied !== null && applied <= date ? applied : null,
      issued_on: date,
      valid_until: threeYearsLater(date),
      valid_until_override: false,
      status: 'active',
      note: taken ? `迁移：阶段记录中的证书编号 ${no} 已由另一条记录持有，请核对` : '迁移：来自阶段记录',
      is_void: false,
      version: 1,
      source: 'migration',
      created_at: at,
      updated_at: at,
      created_by: e.actor_id,
      updated_by: e.actor_id,
    });
  }
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    const inserted = (await knex('certifications').insert(chunk).returning('id')) as ({ id: number } | number)[];
    const history = chunk.map((r, j) => {
      const raw = inserted[j]!;
      const id = typeof raw === 'object' ? raw.id : raw;
      const { source: _s, import_batch_id: _b, created_at: _c, updated_at: _u, created_by: by, updated_by: _ub, ...snapshot } = r;
      return { certification_id: id, ...snapshot, change: 'create', recorded_at: at, recorded_by: by };
    });
    await knex('certification_history').insert(history);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['certification_year_settings', 'certification_changes', 'compliance_ticks', 'certification_history', 'certifications']) {
    await knex.schema.dropTableIfExists(table);
  }
}
