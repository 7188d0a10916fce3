/**
 * The audit log never speaks code (issue 11 item 4). Every audit write in src/ is found by reading
 * the source with the TypeScript checker (appendAudit, appendAuditAs, auditRow, auditRowAs), so a
 * write added tomorrow is covered without touching this file. For each: its action is one the log
 * knows (AUDIT_ACTIONS), and every key it writes, given a value of each kind its type allows (each
 * member of an enum, a date, an instant, a list, a nested object), reads with a Chinese label and
 * a value in words — no JSON, no camelCase or snake_case key, no enum key, no ISO instant.
 *
 * Where the types cannot tell the keys (a row built from Object.keys of a form, settings keyed by a
 * label), DYNAMIC says which keys the code writes and why; a new write of that kind fails here
 * until it is added.
 */
import path from 'node:path';
import { expect } from 'chai';
import ts from 'typescript';
import { CONTACT_RULE_STAGES } from '../../src/domain/coaching/contact.js';
import { stageLabel } from '../../src/domain/stages.js';
import { TARGET_METRICS } from '../../src/domain/targets.js';
import { AUDIT_ACTIONS } from '../../src/features/audit/audit-actions.js';
import { type AuditLookups, auditObjectText, describeAuditChanges } from '../../src/features/audit/audit-view.js';
import { createTestDb } from '../helpers/test-db.js';

const WRITERS: Record<string, number> = { appendAudit: 2, appendAuditAs: 2, auditRow: 1, auditRowAs: 1 };

const LOOKUPS: AuditLookups = {
  parkName: () => '余姚经济开发区',
  townName: () => '泗门镇',
  userName: () => '王晓燕',
  batchName: () => '研发费加计扣除 2025 年',
  firmName: () => '余姚市示例科技有限公司',
};

/** A value of each kind a key's type allows: several when it is an enum, so every member is read. */
type Samples = unknown[];

interface Site {
  where: string;
  actions: string[];
  /** Variants of the row's before and after, every enum member of every key in one of them. */
  variants: { before: Record<string, unknown> | null; after: Record<string, unknown> | null }[];
  problems: string[];
}

/**
 * Keys the types cannot tell, by action (top level) and by action and key (inside a value). Each
 * says where the code takes its keys from.
 */
let DYNAMIC: Record<string, Record<string, unknown>> = {};
const DYNAMIC_NESTED: Record<string, Record<string, unknown>> = {
  // transitions.ts decideMove: the certificate of a move into 高新技术企业, the gate's verdict of one into 高企申报中.
  'firm.stage': { details: { certificateNo: 'GR202333102308', certificateDate: '2025-03-01', override: true, eligibility: { ruleSet: 'hte-2016', inputYears: [2023, 2024], status: 'fail', verdictId: 7 }, batchId: 12 } },
  // web/export.ts recordExport: the export's filter pairs in the words of its title line (filterPairs).
  'export.download': { filters: { '园区/平台': '余姚经济开发区', 搜索: '“海东”', 统计年度: '2025 年' } },
  // audit.routes.ts: the audit page's own query (user, action, firm, from, to).
  'audit.export': { filters: { user: '2', action: 'figures.update', firm: '审计', from: '2025-01-01', to: '2025-12-31' } },
};

function buildDynamic(figureColumns: string[]): void {
  DYNAMIC = {
    // lists/import-job.ts commitFigures: the annual_figures columns a file filled (Object.keys of the row).
    'figures.import': Object.fromEntries(figureColumns.map((c) => [c, c.startsWith('has_') || c === 'national_award_top3' || c === 'major_incident' ? true : 1234567])),
    // coaching.service.ts saveContactDays: one key per stage, the stage's name and 天.
    'coaching.contact_rules': Object.fromEntries(CONTACT_RULE_STAGES.map((s) => [`${stageLabel(s)}（天）`, 90])),
    // targets.service.ts saveTargets: one key per metric, its Chinese label.
    'target.set': Object.fromEntries(TARGET_METRICS.map((m) => [m.label, 25])),
  };
}

function scanAuditWrites(): Site[] {
  const cfg = ts.getParsedCommandLineOfConfigFile(path.resolve('tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const program = ts.createProgram(cfg.fileNames.filter((f) => f.includes(`${path.sep}src${path.sep}`)), cfg.options);
  const checker = program.getTypeChecker();
  const unwrap = (e: ts.Expression): ts.Expression =>
    ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) ? unwrap(e.expression) : e;
  const nonNull = (t: ts.Type) => (t.isUnion() ? t.types : [t]).filter((m) => !(m.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Never)));

  function literals(t: ts.Type): string[] | null {
    const members = t.isUnion() ? t.types : [t];
    const out: string[] = [];
    for (const m of members) {
      if (m.isStringLiteral()) out.push(m.value);
      else return null;
    }
    return out;
  }

  function actionsOf(e: ts.Expression): string[] | null {
    e = unwrap(e);
    if (ts.isTemplateExpression(e)) {
      let out = [e.head.text];
      for (const span of e.templateSpans) {
        const l = literals(checker.getTypeAtLocation(span.expression));
        if (!l) return null;
        out = out.flatMap((o) => l.map((x) => o + x + span.literal.text));
      }
      return out;
    }
    return literals(checker.getTypeAtLocation(e));
  }

  /** Values of a type, for the key `key` of `action` (the key's name tells a date from text). */
  function samplesOf(t: ts.Type, key: string, action: string, problems: string[], depth = 0): Samples {
    const members = nonNull(t);
    if (members.length > 1) return members.flatMap((m) => samplesOf(m, key, action, problems, depth));
    const m = members[0];
    if (!m) return [];
    if (m.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return Object.hasOwn(DYNAMIC_NESTED[action] ?? {}, key) ? [DYNAMIC_NESTED[action]![key]] : ['示例文字'];
    if (m.isStringLiteral() || m.isNumberLiteral()) return [m.value];
    if (m.flags & ts.TypeFlags.BooleanLiteral) return [(m as unknown as { intrinsicName: string }).intrinsicName === 'true'];
    if (m.flags & ts.TypeFlags.Boolean) return [true, false];
    if (m.flags & (ts.TypeFlags.Number | ts.TypeFlags.BigInt)) return [1234567];
    if (m.flags & ts.TypeFlags.String) {
      if (/At$/.test(key) || key === 'lockedUntil') return ['2026-03-01T02:03:04.000Z'];
      if (/(On|Date|^date)$/.test(key) || key === '日期' || key === '到期日' || key === '起始日' || key === '完成日期') return ['2025-03-01'];
      return ['示例文字'];
    }
    if (checker.isArrayType(m) || checker.isTupleType(m)) {
      const element = checker.getTypeArguments(m as ts.TypeReference)[0];
      return [element ? samplesOf(element, key, action, problems, depth + 1) : []];
    }
    if (m.flags & ts.TypeFlags.Object) {
      const props = m.getProperties();
      const indexed = checker.getIndexInfosOfType(m).length > 0;
      // `{}`: what is left of `unknown` after `?? null` (a value read from JSON): text.
      if (props.length === 0 && !indexed && !Object.hasOwn(DYNAMIC_NESTED[action] ?? {}, key)) return ['示例文字'];
      if (props.length === 0 || indexed) {
        if (Object.hasOwn(DYNAMIC_NESTED[action] ?? {}, key)) return [DYNAMIC_NESTED[action]![key]];
        if (props.length === 0) {
          problems.push(`${action}: the keys inside “${key}” (${checker.typeToString(m)}) are not known; add them to DYNAMIC_NESTED`);
          return [];
        }
      }
      if (depth > 4) return [{}];
      const fields = new Map(props.map((p) => [p.name, samplesOf(checker.getTypeOfSymbol(p), p.name, action, problems, depth + 1)]));
      return variants(fields);
    }
    return ['示例文字'];
  }

  /** Objects whose keys take every sample at least once (the longest list sets how many). */
  function variants(fields: Map<string, Samples>): Record<string, unknown>[] {
    const n = Math.max(1, ...[...fields.values()].map((s) => s.length));
    return Array.from({ length: n }, (_, i) => Object.fromEntries([...fields].filter(([, s]) => s.length).map(([k, s]) => [k, s[i % s.length]])));
  }

  /** The keys of a before/after expression with their samples; `open` when the source does not tell them. */
  function keysOf(e: ts.Expression | undefined, action: string, out: Map<string, Samples>, problems: string[]): boolean {
    if (!e) return false;
    e = unwrap(e);
    if (e.kind === ts.SyntaxKind.NullKeyword) return false;
    if (ts.isConditionalExpression(e)) return keysOf(e.whenTrue, action, out, problems) || keysOf(e.whenFalse, action, out, problems);
    if (ts.isObjectLiteralExpression(e)) {
      let open = false;
      for (const p of e.properties) {
        if (ts.isPropertyAssignment(p)) out.set(p.name.getText().replace(/^['"]|['"]$/g, ''), samplesOf(checker.getTypeAtLocation(p.initializer), p.name.getText(), action, problems));
        else if (ts.isShorthandPropertyAssignment(p)) out.set(p.name.text, samplesOf(checker.getTypeAtLocation(p.name), p.name.text, action, problems));
        else if (ts.isSpreadAssignment(p)) open = keysOf(p.expression, action, out, problems) || open;
      }
      return open;
    }
    // Object.fromEntries(keys.map((k) => [k, source[k]])): the keys' type, and each value's type on the source.
    if (ts.isCallExpression(e) && e.expression.getText() === 'Object.fromEntries') {
      const map = e.arguments[0] && unwrap(e.arguments[0]);
      const fn = map && ts.isCallExpression(map) ? map.arguments[0] : undefined;
      const body = fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) ? fn.body : undefined;
      const pair = body && ts.isArrayLiteralExpression(body) ? body : undefined;
      const keys = pair?.elements[0] ? literals(checker.getTypeAtLocation(pair.elements[0])) : null;
      if (!pair || !keys) return true;
      let value = unwrap(pair.elements[1]!);
      if (ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken) value = unwrap(value.left);
      for (const k of keys) {
        const source = ts.isElementAccessExpression(value) ? checker.getNonNullableType(checker.getTypeAtLocation(value.expression)).getProperty(k) : undefined;
        out.set(k, samplesOf(source ? checker.getTypeOfSymbol(source) : checker.getTypeAtLocation(value), k, action, problems));
      }
      return false;
    }
    const t = checker.getTypeAtLocation(e);
    let open = false;
    for (const m of nonNull(t)) {
      for (const p of m.getProperties()) out.set(p.name, samplesOf(checker.getTypeOfSymbol(p), p.name, action, problems));
      if (checker.getIndexInfosOfType(m).length > 0 || m.getProperties().length === 0) open = true;
    }
    return open;
  }

  const sites: Site[] = [];
  for (const sf of program.getSourceFiles()) {
    if (!sf.fileName.includes(`${path.sep}src${path.sep}`) || sf.fileName.endsWith(`audit${path.sep}audit.queries.ts`)) continue;
    const visit = (n: ts.Node) => {
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && Object.hasOwn(WRITERS, n.expression.text)) {
        const where = `${path.relative('.', sf.fileName)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
        const problems: string[] = [];
        const entry = n.arguments[WRITERS[n.expression.text]!] && unwrap(n.arguments[WRITERS[n.expression.text]!]!);
        if (!entry || !ts.isObjectLiteralExpression(entry)) {
          sites.push({ where, actions: [], variants: [], problems: [`${where}: the entry is not written in place, so its action and keys cannot be read`] });
          return;
        }
        // { action, objectType, before, after }, with before/after also in a spread: ...(prior ? { before } : {}).
        const sides: Record<'before' | 'after', ts.Expression | undefined> = { before: undefined, after: undefined };
        let action: ts.Expression | undefined;
        const read = (o: ts.ObjectLiteralExpression) => {
          for (const p of o.properties) {
            const name = p.name?.getText();
            const value = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
            if (name === 'action') action = value;
            if ((name === 'before' || name === 'after') && value) sides[name] = value;
            if (ts.isSpreadAssignment(p)) {
              const s = unwrap(p.expression);
              for (const branch of ts.isConditionalExpression(s) ? [s.whenTrue, s.whenFalse] : [s]) {
                const b = unwrap(branch);
                if (ts.isObjectLiteralExpression(b)) read(b);
              }
            }
          }
        };
        read(entry);
        const actions = action ? actionsOf(action) : null;
        if (!actions) {
          sites.push({ where, actions: [], variants: [], problems: [`${where}: its action is not a string the source names`] });
          return;
        }
        const result: Site = { where, actions, variants: [], problems };
        const sideSamples: Record<'before' | 'after', { fields: Map<string, Samples>; open: boolean; present: boolean }> = {
          before: { fields: new Map(), open: false, present: sides.before !== undefined },
          after: { fields: new Map(), open: false, present: sides.after !== undefined },
        };
        for (const side of ['before', 'after'] as const) {
          for (const a of actions) sideSamples[side].open = keysOf(sides[side], a, sideSamples[side].fields, problems) || sideSamples[side].open;
        }
        for (const a of actions) {
          const dynamic = DYNAMIC[a];
          const open = sideSamples.before.open || sideSamples.after.open;
          if (open && !dynamic) problems.push(`${where} (${a}): the keys it writes are not in its types; say in DYNAMIC which keys it writes`);
          const sideOf = (side: 'before' | 'after') => {
            const s = sideSamples[side];
            if (!s.present) return [null];
            const fields = new Map(s.fields);
            if (s.open && dynamic) for (const [k, v] of Object.entries(dynamic)) fields.set(k, [v]);
            return variants(fields);
          };
          const [b, af] = [sideOf('before'), sideOf('after')];
          for (let i = 0; i < Math.max(b.length, af.length); i++) result.variants.push({ before: b[i % b.length]!, after: af[i % af.length]! });
        }
        sites.push(result);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return sites;
}

/** The string values inside a sample (the enum keys among them must not be shown as they are). */
function stringsIn(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(stringsIn);
  if (v && typeof v === 'object') return Object.values(v).flatMap(stringsIn);
  return [];
}

/** What in a shown value is code, or null: JSON, an instant, a camelCase or snake_case word, an enum key as stored. */
function codeIn(text: string, sample: unknown): string | null {
  if (/[{}"[\]]/.test(text)) return `JSON in “${text}”`;
  if (/\d{4}-\d\d-\d\dT\d\d/.test(text)) return `an ISO instant in “${text}”`;
  const word = /\b[a-z]+[A-Z][A-Za-z0-9]*\b|\b[A-Za-z0-9]+_[A-Za-z0-9_]+\b/.exec(text);
  if (word) return `“${word[0]}” in “${text}”`;
  for (const s of stringsIn(sample)) {
    if (/^[a-z][a-z0-9_-]*[a-z0-9]$/.test(s) && new RegExp(`(^|[^A-Za-z0-9_-])${s.replace(/[-]/g, '\\-')}($|[^A-Za-z0-9_-])`).test(text)) return `the key “${s}” in “${text}”`;
  }
  return null;
}

const CJK = /[\u3400-\u9fff]/;

describe('every audit write reads in words (issue 11 item 4)', function () {
  this.timeout(120_000); // the checker reads all of src/ once
  let sites: Site[];
  before(async () => {
    // The annual_figures columns figures.import writes, from the migrated schema itself.
    const t = await createTestDb();
    const columns = ((await t.db.raw('PRAGMA table_info(annual_figures)')) as { name: string }[]).map((c) => c.name);
    await t.destroy();
    buildDynamic(columns.filter((c) => !['id', 'firm_id', 'year', 'version', 'updated_at', 'created_at'].includes(c)));
    sites = scanAuditWrites();
  });

  it('finds the audit writes of src/, each with actions and keys the source names', () => {
    expect(sites.length, 'audit writes found').to.be.greaterThan(70);
    expect(sites.flatMap((s) => s.problems)).to.deep.equal([]);
  });

  it('names every action written in AUDIT_ACTIONS, and lists no action nothing writes', () => {
    const written = new Set(sites.flatMap((s) => s.actions));
    expect([...written].filter((a) => !Object.hasOwn(AUDIT_ACTIONS, a)).sort(), 'written but not named').to.deep.equal([]);
    expect(Object.keys(AUDIT_ACTIONS).filter((a) => !written.has(a)).sort(), 'named but never written').to.deep.equal([]);
    for (const label of Object.values(AUDIT_ACTIONS)) expect(label).to.match(CJK);
  });

  it('gives every key of every action a Chinese label and a value in words', () => {
    const faults: string[] = [];
    for (const site of sites) {
      for (const action of site.actions) {
        for (const { before, after } of site.variants) {
          const changes = describeAuditChanges(action, before, after, LOOKUPS);
          for (const c of changes) {
            if (!CJK.test(c.label) || /^[A-Za-z_]+$/.test(c.label)) faults.push(`${site.where} ${action}: key “${c.label}” has no Chinese label`);
            for (const v of [c.before, c.after]) {
              if (v === null) continue;
              const code = codeIn(v, { before, after });
              if (code) faults.push(`${site.where} ${action} ${c.label}: ${code}`);
            }
          }
        }
      }
    }
    expect([...new Set(faults)]).to.deep.equal([]);
  });

  it('reads older rows too: exports named by code with their query, a certificate cancelled without its kind', () => {
    const old = describeAuditChanges('export.download', null, { what: 'firms', format: 'xlsx', filters: { q: 'a', park: '3', stage: 'incubating' } }, LOOKUPS);
    expect(old.map((c) => `${c.label}：${c.after}`)).to.deep.equal(['导出内容：企业名录', '文件格式：XLSX', '筛选条件：搜索 “a”，园区/平台 余姚经济开发区，阶段 孵化培育']);
    const calendar = describeAuditChanges('audit.export', null, { what: 'certifications.calendar', format: 'csv', filters: 'days=90&park=3&kind=hte_annual_report', rows: 12 }, LOOKUPS);
    expect(calendar.map((c) => `${c.label}：${c.after}`)).to.deep.equal(['导出内容：后续管理（到期及已逾期事项）', '文件格式：CSV', '筛选条件：期限 未来 90 天，园区/平台 余姚经济开发区，事项 高企年度发展情况报表', '导出行数：12 行']);
    const cancel = describeAuditChanges('certification.cancel', { id: 4, status: 'active' }, { id: 4, status: 'revoked', reasonCode: 'missed_reports', statusOn: '2025-06-01' }, LOOKUPS);
    expect(cancel.map((c) => `${c.label}：${c.before ? `${c.before} → ` : ''}${c.after}`)).to.deep.equal([
      '资质记录编号：#4',
      '资质状态：有效 → 已取消/撤销',
      '取消/撤销原因：累计两年未填报年度发展情况报表（第十九条（三）；指引 五（二））',
      '取消/撤销日期：2025-06-01',
    ]);
  });

  it('names the object of every kind of row: an event, a template, targets, settings, a refused request', () => {
    const names = { firm: () => undefined, user: () => undefined, batch: () => undefined, park: () => '余姚经济开发区', town: () => undefined };
    const shown = (type: string, id: string) => auditObjectText(type, id, names).label;
    expect(shown('event', '5')).to.equal('辅导活动');
    expect(shown('coaching_template', '2')).to.equal('辅导方案模板');
    expect(shown('targets', '2025/park 3')).to.equal('2025 年目标（余姚经济开发区）');
    expect(shown('targets', '2025')).to.equal('2025 年目标（全县）');
    expect(shown('year', '2025')).to.equal('2025 年度资质设置');
    expect(shown('settings', 'coaching_contact_rules')).to.equal('未联系提醒天数');
    expect(shown('report', '2025')).to.equal('2025 年度报告');
    expect(auditObjectText('request', 'POST /admin/users', names)).to.deep.equal({ label: '请求', code: 'POST /admin/users', href: null });
  });
});
