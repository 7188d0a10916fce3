import { expect } from 'chai';
import ExcelJS from 'exceljs';

import { guardXlsx, ZIP_LIMITS } from '../../../src/features/lists/parsing/zip-guard.js';
import { openTable, readTable } from '../../../src/features/lists/parsing/read-table.js';
import { TmpDir, buildZip, collect, rejection, texts, unzipEntries, uscc } from './helpers.js';
import type { ZipSpec } from './helpers.js';

const MiB = 1024 * 1024;

/** Count exceljs streaming readers created while `fn` runs. */
async function countExcelReaders(fn: () => Promise<unknown>): Promise<number> {
  const holder = ExcelJS.stream.xlsx as unknown as { WorkbookReader: new (...a: unknown[]) => unknown };
  const Original = holder.WorkbookReader;
  let created = 0;
  holder.WorkbookReader = class extends (Original as new (...a: unknown[]) => object) {
    constructor(...args: unknown[]) {
      super(...args);
      created++;
    }
  } as unknown as typeof holder.WorkbookReader;
  try {
    await fn().catch(() => undefined);
  } finally {
    holder.WorkbookReader = Original;
  }
  return created;
}

describe('lists-parsing / ZIP guard (UP-02, UP-05)', () => {
  let tmp: TmpDir;
  let entries: ZipSpec[];

  before(async () => {
    tmp = new TmpDir();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名单');
    ws.getCell('A1').value = '2024年度名单';
    ws.mergeCells('A1:C1');
    ws.addRow(['统一社会信用代码', '企业名称', '园区']);
    ws.addRow([uscc(1), '宁波甲公司', '园区A']);
    entries = await unzipEntries(Buffer.from(await wb.xlsx.writeBuffer()));
  });
  after(() => tmp.cleanup());

  const replaced = (name: string, data: Buffer, extra: Partial<ZipSpec> = {}): ZipSpec[] =>
    entries.map((e) => (e.name === name ? { ...e, data, ...extra } : e));

  it('a repacked normal workbook passes, with its merged ranges', async () => {
    const path = tmp.file('ok.xlsx', buildZip(entries));
    const insp = await guardXlsx(path);
    expect(insp.target.name).to.equal('名单');
    expect(insp.targetSheetNo).to.equal('1');
    expect(insp.merges).to.deep.equal([{ top: 1, left: 1, bottom: 1, right: 3 }]);
    // What the preview's memory limit is sized by.
    expect(insp.sharedStringsBytes).to.equal(entries.find((e) => e.name === 'xl/sharedStrings.xml')!.data.length);
    expect(texts(await collect(readTable(path)))).to.deep.equal([[uscc(1), '宁波甲公司', '园区A']]);
  });

  it('reads the chosen sheet whatever the order of the parts (inline and temp-file paths of exceljs)', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('第一页').addRows([['统一社会信用代码', '企业名称'], [uscc(1), '宁波甲公司']]);
    wb.addWorksheet('第二页').addRows([['统一社会信用代码', '企业名称'], [uscc(2), '宁波乙公司'], [uscc(3), '宁波丙公司']]);
    const parts = await unzipEntries(Buffer.from(await wb.xlsx.writeBuffer()));
    const first = ['xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/styles.xml'];
    const stringsFirst = [...parts.filter((e) => first.includes(e.name)), ...parts.filter((e) => !first.includes(e.name))];
    const sheetsFirst = [...parts.filter((e) => e.name.startsWith('xl/worksheets/')), ...parts.filter((e) => !e.name.startsWith('xl/worksheets/'))];
    for (const [name, order] of [['strings-first.xlsx', stringsFirst], ['sheets-first.xlsx', sheetsFirst]] as const) {
      const path = tmp.file(name, buildZip(order));
      expect(texts(await collect(readTable(path))), name).to.deep.equal([[uscc(1), '宁波甲公司']]);
      expect(texts(await collect(readTable(path, { sheet: '第二页' }))), name).to.deep.equal([
        [uscc(2), '宁波乙公司'],
        [uscc(3), '宁波丙公司'],
      ]);
    }
  });

  it('refuses a zip bomb (sharedStrings.xml of 80 MiB compressed to ~80 KiB) before exceljs reads it', async () => {
    const huge = Buffer.alloc(80 * MiB, 'A');
    huge.write('<?xml version="1.0" encoding="UTF-8"?><sst count="1" uniqueCount="1"><si><t>', 0);
    huge.write('</t></si></sst>', huge.length - 15);
    const bomb = buildZip(replaced('xl/sharedStrings.xml', huge));
    expect(bomb.length).to.be.below(1 * MiB);
    const path = tmp.file('bomb.xlsx', bomb);

    const rssBefore = process.memoryUsage().rss;
    let err = new Error('none') as Error & Record<string, unknown>;
    const created = await countExcelReaders(async () => {
      err = await rejection(openTable(path));
    });
    expect(created).to.equal(0);
    expect(err.code).to.equal('ZIP_LIMIT');
    expect(err.status).to.equal(422);
    expect(err.message).to.match(/^文件解压后超过限制（xl\/sharedStrings\.xml 的压缩比约 \d{1,3}(?:,\d{3})*:1，上限 100:1）/);
    expect(process.memoryUsage().rss - rssBefore).to.be.below(64 * MiB);

    // and the same file with the ratio check relaxed is still stopped by the sharedStrings cap
    const err2 = await rejection(guardXlsx(path, { limits: { maxEntryRatio: 10_000, maxSharedStrings: 50 * MiB } }));
    expect(err2.message).to.contain('xl/sharedStrings.xml 解压后 80.0 MB，上限 50.0 MB');
    // sanity: the spy does see exceljs on a normal file
    expect(await countExcelReaders(() => collect(readTable(tmp.file('ok2.xlsx', buildZip(entries)))))).to.equal(1);
  });

  it('refuses archives over the total size and entry-count caps', async () => {
    const path = tmp.file('total.xlsx', buildZip(entries));
    const err = await rejection(guardXlsx(path, { limits: { maxTotalUncompressed: 2000 } }));
    expect(err.code).to.equal('ZIP_LIMIT');
    expect(err.message).to.match(/^文件解压后超过限制（解压后共 \d+ KB，上限 2 KB）/);
    const many = buildZip([...entries, ...Array.from({ length: 20 }, (_, i) => ({ name: `xl/media/x${i}.bin`, data: Buffer.from('x') }))]);
    const err2 = await rejection(guardXlsx(tmp.file('many.xlsx', many), { limits: { maxEntries: 15 } }));
    expect(err2.message).to.match(/包含 \d+ 个内部文件，上限 15 个/);
    expect(ZIP_LIMITS.maxEntries).to.equal(1000);
  });

  it('refuses an entry that inflates to more than it declares', async () => {
    const big = Buffer.alloc(4 * MiB, ' ');
    big.write('<?xml version="1.0"?><sst/>', 0);
    const lying = buildZip(replaced('xl/sharedStrings.xml', big, { declaredSize: 100_000 }));
    const err = await rejection(openTable(tmp.file('lying.xlsx', lying)));
    expect(err.code).to.equal('ZIP_LIMIT');
    expect(err.message).to.contain('实际解压大小超过文件中声明的大小');
  });

  it('refuses hidden data between entries and local names that differ from the directory', async () => {
    const junk = buildZip(entries, { junkBetween: Buffer.alloc(64, 7) });
    expect((await rejection(guardXlsx(tmp.file('junk.xlsx', junk)))).code).to.equal('ZIP_INVALID');
    const renamed = buildZip(entries.map((e) => (e.name === 'xl/styles.xml' ? { ...e, localName: 'xl/sharedStrings.xml' } : e)));
    const err = await rejection(guardXlsx(tmp.file('renamed.xlsx', renamed)));
    expect(err.code).to.equal('ZIP_INVALID');
    expect(err.message).to.match(/^文件结构异常/);
    const ambiguous = buildZip([...entries, { name: 'x/xl/worksheets/sheet1.xml', data: Buffer.from('<worksheet/>') }]);
    expect((await rejection(guardXlsx(tmp.file('ambiguous.xlsx', ambiguous)))).code).to.equal('ZIP_INVALID');
  });

  it('refuses XML parts with a DTD (billion laughs, external entities)', async () => {
    const sheet = entries.find((e) => e.name === 'xl/worksheets/sheet1.xml');
    if (!sheet) throw new Error('no sheet');
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>';
    const bad = Buffer.from(sheet.data.toString('utf8').replace(/^<\?xml[^>]*\?>/, laughs).replace('园区A', '&c;'));
    const err = await rejection(openTable(tmp.file('laughs.xlsx', buildZip(replaced('xl/worksheets/sheet1.xml', bad)))));
    expect(err.code).to.equal('ZIP_INVALID');
    expect(err.message).to.match(/DTD/);
    const xxe = Buffer.from(
      (entries.find((e) => e.name === 'xl/sharedStrings.xml')?.data.toString('utf8') ?? '').replace(
        /^<\?xml[^>]*\?>/,
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
      ),
    );
    expect((await rejection(guardXlsx(tmp.file('xxe.xlsx', buildZip(replaced('xl/sharedStrings.xml', xxe)))))).message).to.match(/DTD/);
  });

  it('refuses a ZIP without xl/workbook.xml and a workbook whose sheet cannot be found', async () => {
    const noWb = buildZip(entries.filter((e) => e.name !== 'xl/workbook.xml'));
    expect((await rejection(guardXlsx(tmp.file('nowb.xlsx', noWb)))).code).to.equal('UNSUPPORTED_TYPE');
    const noSheet = buildZip(entries.filter((e) => e.name !== 'xl/worksheets/sheet1.xml'));
    expect((await rejection(guardXlsx(tmp.file('nosheet.xlsx', noSheet)))).code).to.equal('SHEET_NOT_FOUND');
  });
});
