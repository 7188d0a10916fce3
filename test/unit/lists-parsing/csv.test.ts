import { expect } from 'chai';
import iconv from 'iconv-lite';

import { openTable, readRawRows, readTable } from '../../../src/features/lists/parsing/read-table.js';
import { ListParseError } from '../../../src/features/lists/parsing/errors.js';
import { suggestMapping } from '../../../src/features/lists/parsing/columns.js';
import { NewlineNormaliser } from '../../../src/features/lists/parsing/csv-reader.js';
import { TmpDir, collect, rejection, texts, uscc } from './helpers.js';

const HEADER = ['序号', '统一社会信用代码', '企业名称', '所在园区', '研发费用（万元）'];
const DATA = [
  ['1', uscc(1), '宁波甲科技有限公司', '余姚经济开发区', '12.5'],
  ['2', uscc(2), '余姚乙新材料股份有限公司', '中意宁波生态园', '1,234.56'],
  ['3', uscc(3), '宁波㙟丙智能装备有限公司', '余姚经济开发区', '0.3'], // 㙟: 4-byte in GB18030, not in GBK
];

function csvLine(cells: readonly string[], delimiter = ','): string {
  return cells
    .map((c) => (/[",;\t\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c))
    .join(delimiter);
}
function csv(rows: ReadonlyArray<readonly string[]>, delimiter = ',', eol = '\r\n'): string {
  return rows.map((r) => csvLine(r, delimiter)).join(eol) + eol;
}

describe('lists-parsing / CSV', () => {
  let tmp: TmpDir;
  before(() => {
    tmp = new TmpDir();
  });
  after(() => tmp.cleanup());

  async function readAll(path: string, opts = {}): Promise<{ header: readonly string[]; rows: string[][]; lines: number[]; source: unknown }> {
    const t = await openTable(path, opts);
    const rows = await collect(t.rows);
    return { header: t.header.columns, rows: texts(rows), lines: rows.map((r) => r.line), source: t.source };
  }

  it('GBK, GB18030 and UTF-8 with BOM produce identical rows (CSV-02, CSV-03)', async () => {
    const gbkData = DATA.slice(0, 2); // GBK cannot encode 㙟
    const utf8 = await readAll(tmp.file('utf8-bom.csv', '\ufeff' + csv([HEADER, ...gbkData])));
    const gbk = await readAll(tmp.file('gbk.csv', iconv.encode(csv([HEADER, ...gbkData]), 'gbk')));
    expect(utf8.source).to.deep.equal({ kind: 'csv', encoding: 'utf8', bom: true, delimiter: ',' });
    expect(gbk.source).to.deep.equal({ kind: 'csv', encoding: 'gb18030', bom: false, delimiter: ',' });
    expect(utf8.header).to.deep.equal(HEADER);
    expect(gbk.header).to.deep.equal(utf8.header);
    expect(gbk.rows).to.deep.equal(utf8.rows);
    expect(utf8.rows).to.deep.equal(gbkData);
    expect(suggestMapping(utf8.header).missingRequired).to.deep.equal([]);

    const g18030 = await readAll(tmp.file('gb18030.csv', iconv.encode(csv([HEADER, ...DATA]), 'gb18030')));
    const utf8Full = await readAll(tmp.file('utf8.csv', csv([HEADER, ...DATA])));
    expect(g18030.rows).to.deep.equal(DATA);
    expect(utf8Full.rows).to.deep.equal(DATA);
    expect(utf8Full.source).to.deep.equal({ kind: 'csv', encoding: 'utf8', bom: false, delimiter: ',' });
  });

  it('semicolon- and tab-separated files (CSV-01)', async () => {
    for (const [name, d] of [['semi.csv', ';'], ['tab.txt', '\t']] as const) {
      const rows = [HEADER, ...DATA.map((r) => r.map((c) => c.replace('1,234.56', '1234.56')))];
      const res = await readAll(tmp.file(name, iconv.encode(csv(rows, d), 'gb18030')));
      expect((res.source as { delimiter: string }).delimiter).to.equal(d);
      expect(res.header).to.deep.equal(HEADER);
      expect(res.rows[1]?.[4]).to.equal('1234.56');
    }
    // a comma inside an unquoted field of a semicolon file does not fool the detection
    const res = await readAll(tmp.file('semi2.csv', `统一社会信用代码;企业名称;备注\n${uscc(5)};宁波丁公司;a,b\n${uscc(6)};宁波戊公司;c\n`));
    expect(res.rows).to.deep.equal([[uscc(5), '宁波丁公司', 'a,b'], [uscc(6), '宁波戊公司', 'c']]);
  });

  it('keeps quoted fields with commas, quotes and line breaks as one record with the right start line (CSV-04)', async () => {
    const body =
      '统一社会信用代码,企业名称,备注\r\n' + // line 1
      `${uscc(1)},"杭州,某某""科技""\r\n分公司",a\r\n` + // lines 2-3 (CRLF inside the quotes)
      `${uscc(2)},"宁波\n某某\n公司",b\r\n` + // lines 4-6 (LF inside)
      '\r\n' + // line 7 empty
      ',,\r\n' + // line 8 only delimiters
      `${uscc(3)},宁波丙公司,c\r\n`; // line 9
    const t = await openTable(tmp.file('quoted.csv', body));
    const rows = await collect(t.rows);
    expect(rows.map((r) => r.line)).to.deep.equal([2, 4, 9]);
    expect(texts(rows)).to.deep.equal([
      [uscc(1), '杭州,某某"科技"\n分公司', 'a'],
      [uscc(2), '宁波\n某某\n公司', 'b'],
      [uscc(3), '宁波丙公司', 'c'],
    ]);
  });

  it('line numbers stay right with blank lines, title rows and lone CR line ends', async () => {
    const body = '2024年度名单,,\r\r统一社会信用代码,企业名称,园区\r' + `${uscc(1)},甲,园区A\r\r\r${uscc(2)},乙,园区B`;
    const t = await openTable(tmp.file('cr.csv', body));
    expect(t.header.headerLine).to.equal(3);
    expect(t.header.titleLines).to.deep.equal([1]);
    const rows = await collect(t.rows);
    expect(rows.map((r) => r.line)).to.deep.equal([4, 7]);
  });

  describe('an unbalanced quote names the line where the record starts (CSV-04)', () => {
    function file(name: string, line57: string, extra: Record<number, string> = {}): string {
      const lines = ['统一社会信用代码,企业名称,园区,年度'];
      for (let i = 2; i <= 90; i++) lines.push(extra[i] ?? (i === 57 ? line57 : `${uscc(i)},宁波公司${i},园区A,2024`));
      return tmp.file(name, iconv.encode(lines.join('\r\n') + '\r\n', 'gbk'));
    }

    it('quote never closed', async () => {
      const err = await rejection(collect(readTable(file('q1.csv', `${uscc(57)},"宁波公司57,园区A,2024`))));
      expect(err).to.be.instanceOf(ListParseError);
      expect(err.code).to.equal('CSV_SYNTAX');
      expect(err.line).to.equal(57);
      expect(err.message).to.match(/^第 57 行：引号未闭合/);
    });

    it('quote closed by a later quote that is followed by other text', async () => {
      const err = await rejection(
        collect(readTable(file('q2.csv', `${uscc(57)},"宁波公司57,园区A,2024`, { 60: `${uscc(60)},"宁波"公司60,园区A,2024` }))),
      );
      expect(err.code).to.equal('CSV_SYNTAX');
      expect(err.line).to.equal(57);
      expect(err.message).to.contain('第 57 行');
    });

    it('quote closed by a stray quote many lines later (rows would silently merge)', async () => {
      const err = await rejection(
        collect(readTable(file('q3.csv', `${uscc(57)},"宁波公司57,园区A,2024`, { 80: `${uscc(80)},宁波公司80",园区A,2024` }))),
      );
      expect(err.code).to.equal('CSV_SYNTAX');
      expect(err.line).to.equal(57);
      expect(err.message).to.equal('第 57 行：引号不匹配，第 57–80 行被合并成了一条记录。请检查第 57 行中的英文双引号。');
    });

    it('a quote in the middle of an unquoted field', async () => {
      const err = await rejection(collect(readTable(file('q4.csv', `${uscc(57)},宁波"公司57,园区A,2024`))));
      expect(err.code).to.equal('CSV_SYNTAX');
      expect(err.line).to.equal(57);
    });

    it('rows before the error are delivered first', async () => {
      const seen: number[] = [];
      const err = await rejection(
        (async () => {
          for await (const r of readTable(file('q5.csv', `${uscc(57)},"宁波公司57,园区A,2024`))) seen.push(r.line);
        })(),
      );
      expect(err.code).to.equal('CSV_SYNTAX');
      expect(seen[seen.length - 1]).to.equal(56);
    });
  });

  it('flags rows with U+FFFD after decoding (mojibake) and CSV numbers in scientific notation', async () => {
    // valid UTF-8 for well over the 64 KiB sniff sample, then a row of GBK bytes
    const filler = Array.from({ length: 2500 }, (_, i) => `${uscc(i + 10)},宁波某某科技有限公司${i},1\n`).join('');
    const good = Buffer.from(`统一社会信用代码,企业名称,研发费用\n${uscc(1)},宁波甲公司,1\n${filler}`, 'utf8');
    const bad = Buffer.concat([Buffer.from(`${uscc(2)},`), iconv.encode('宁波乙公司', 'gbk'), Buffer.from(',2\n')]);
    const sci = Buffer.from(`9.13303E+17,宁波丙公司,3\n913302136891975E84,宁波丁公司,4\n`);
    const t = await openTable(tmp.file('mixed.csv', Buffer.concat([good, bad, sci])));
    expect(t.source).to.include({ encoding: 'utf8' });
    const rows = (await collect(t.rows)).slice(-4);
    expect(rows.map((r) => r.mojibake ?? false)).to.deep.equal([false, true, false, false]);
    expect(rows[1]?.cells[1]?.text).to.contain('\ufffd');
    expect(rows[2]?.cells[0]).to.deep.equal({ text: '9.13303E+17', numberLossy: true });
    expect(rows[3]?.cells[0]).to.deep.equal({ text: '913302136891975E84' }); // a valid code with an E is not a number
  });

  it('reports a missing required column', async () => {
    const t = await openTable(tmp.file('missing.csv', '企业名称,所在园区\n宁波甲公司,园区A\n'));
    const s = suggestMapping(t.header.columns, 'incubator');
    expect(s.missingRequired).to.deep.equal(['uscc']);
    expect(s.message).to.match(/^缺少必需列：统一社会信用代码/);
    await t.close();
  });

  it('stops with a clear error past maxRows data rows, counting while streaming', async () => {
    const rows = [HEADER, ...Array.from({ length: 30 }, (_, i) => [String(i + 1), uscc(i + 1), `公司${i}`, '园区', '1'])];
    const path = tmp.file('rows.csv', csv(rows));
    expect(await collect(readTable(path, { maxRows: 30 }))).to.have.length(30);
    const seen: number[] = [];
    const err = await rejection(
      (async () => {
        for await (const r of readTable(path, { maxRows: 20 })) seen.push(r.line);
      })(),
    );
    expect(err.code).to.equal('TOO_MANY_ROWS');
    expect(err.status).to.equal(413);
    expect(err.message).to.equal('数据超过 20 行的上限，已停止读取。请拆分成多个文件分批上传。');
    expect(seen).to.have.length(20);
  });

  it('groups the digits of a limit in its message (2,000 rather than 2000)', async () => {
    const rows = Array.from({ length: 2001 }, (_, i) => csvLine([String(i + 1), uscc(i + 10), `余姚市限额${i}有限公司`, '', '1']));
    const path = tmp.file('limit.csv', [csvLine(HEADER), ...rows].join('\n'));
    const err = await rejection(collect(readTable(path, { maxRows: 2000 })));
    expect(err.message).to.equal('数据超过 2,000 行的上限，已停止读取。请拆分成多个文件分批上传。');
  });

  it('refuses a file over maxBytes before parsing it', async () => {
    // broken content: if it were parsed, the error would be CSV_SYNTAX
    const path = tmp.file('big.csv', `统一社会信用代码,企业名称\n"${'x'.repeat(5000)}\n`);
    const err = await rejection(openTable(path, { maxBytes: 4096 }));
    expect(err.code).to.equal('FILE_TOO_LARGE');
    expect(err.status).to.equal(413);
    expect(err.message).to.match(/^文件大小为 .* MB，超过 .* MB 的上限，未读取/);
    expect((await rejection(openTable(path))).code).to.equal('CSV_SYNTAX');
  });

  it('readRawRows returns title and header rows too; readTable exposes the header lazily', async () => {
    const path = tmp.file('raw.csv', csv([['名单'], HEADER, ...DATA]));
    expect((await collect(readRawRows(path))).map((r) => r.line)).to.deep.equal([1, 2, 3, 4, 5]);
    const t = readTable(path);
    expect((await t.header()).headerLine).to.equal(2);
    expect(texts(await collect(t))).to.deep.equal(DATA);
    const manual = await openTable(path, { headerLine: 1 });
    expect(manual.header.columns).to.deep.equal(['名单']);
    await manual.close();
    expect((await rejection(openTable(path, { headerLine: 40 }))).code).to.equal('HEADER_NOT_FOUND');
  });

  it('normalises CRLF and lone CR across chunk boundaries', async () => {
    const n = new NewlineNormaliser();
    const out: Buffer[] = [];
    n.on('data', (c: Buffer) => out.push(c));
    for (const c of ['a\r', '\nb\r', '\r', 'c\r\n', '\r\nd\re\r']) n.write(Buffer.from(c));
    n.end();
    await new Promise((r) => n.on('end', r));
    expect(Buffer.concat(out).toString()).to.equal('a\nb\n\nc\n\nd\ne\n');
  });

  it('refuses a row with more columns than allowed, naming it', async () => {
    const path = tmp.file('wide.csv', `统一社会信用代码,企业名称\n${uscc(1)},甲\n${'x,'.repeat(20)}x\n`);
    const err = await rejection(collect(readTable(path, { maxColumns: 10 })));
    expect(err.code).to.equal('TOO_MANY_COLUMNS');
    expect(err.line).to.equal(3);
  });

  it('an empty file and a file of blank lines are refused', async () => {
    expect((await rejection(openTable(tmp.file('empty.csv', '')))).code).to.equal('EMPTY_FILE');
    expect((await rejection(openTable(tmp.file('blank.csv', '\r\n,,\r\n\r\n')))).code).to.equal('EMPTY_FILE');
  });
});
