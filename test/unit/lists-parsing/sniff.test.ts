import { expect } from 'chai';
import { copyFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

import { detectDelimiter, detectEncoding, sniffFile } from '../../../src/features/lists/parsing/sniff.js';
import { openTable } from '../../../src/features/lists/parsing/read-table.js';
import { TmpDir, buildZip, collect, rejection, texts, uscc } from './helpers.js';

/** A minimal CFB container: header plus one directory sector naming `stream` (UTF-16LE). */
function cfb(stream: string): Buffer {
  const buf = Buffer.alloc(2048);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(buf, 0);
  buf.writeUInt16LE(9, 0x1e); // 512-byte sectors
  buf.writeUInt32LE(0, 0x30); // first directory sector
  Buffer.from('Root Entry', 'utf16le').copy(buf, 512);
  Buffer.from(stream, 'utf16le').copy(buf, 512 + 128);
  return buf;
}

describe('lists-parsing / sniff (type by content, UP-04)', () => {
  let tmp: TmpDir;
  before(() => {
    tmp = new TmpDir();
  });
  after(() => tmp.cleanup());

  async function refusal(name: string, content: Buffer | string): Promise<{ code: unknown; status: unknown; message: string }> {
    const err = await rejection(openTable(tmp.file(name, content)));
    return { code: err.code, status: err.status, message: err.message };
  }

  it('refuses legacy .xls and password-protected workbooks (CFB) with a Chinese message', async () => {
    const xls = await refusal('old.xls', cfb('Workbook'));
    expect(xls).to.include({ code: 'UNSUPPORTED_TYPE', status: 415 });
    expect(xls.message).to.match(/^这是旧版 Excel（\.xls）文件.*另存为” \.xlsx 或 CSV/);
    const enc = await refusal('secret.xlsx', cfb('EncryptedPackage'));
    expect(enc.message).to.match(/^文件设有打开密码/);
    const doc = await refusal('report.xlsx', cfb('WordDocument'));
    expect(doc.message).to.match(/^这是旧版 Office 格式或加密的文件/);
  });

  it('refuses PDF, HTML and SpreadsheetML 2003 whatever their name', async () => {
    expect((await refusal('list.xlsx', '%PDF-1.7\n%âãÏÓ\n1 0 obj')).message).to.match(/^这是 PDF 文件/);
    expect((await refusal('list.xls', '\ufeff  <html><body><table><tr><td>企业名称</td></tr></table></body></html>')).message).to.match(/网页（HTML）/);
    expect((await refusal('list2.xls', '<!DOCTYPE html><table></table>')).message).to.match(/网页（HTML）/);
    expect((await refusal('list3.xls', 'MIME-Version: 1.0\r\nContent-Type: multipart/related')).message).to.match(/网页（HTML）/);
    const xml2003 = '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>';
    expect((await refusal('list4.xls', xml2003)).message).to.match(/Excel 2003 XML/);
    expect((await refusal('pic.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]))).code).to.equal('UNSUPPORTED_TYPE');
    expect((await refusal('bin.csv', Buffer.from([1, 2, 3, 0, 5, 6, 7, 8, 9]))).code).to.equal('UNSUPPORTED_TYPE');
  });

  it('refuses UTF-16 text clearly, with or without BOM, and empty files', async () => {
    const text = '统一社会信用代码\t企业名称\r\n';
    const le = await refusal('u16.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect(le).to.include({ code: 'UNSUPPORTED_ENCODING', status: 415 });
    expect(le.message).to.match(/^文件编码为 UTF-16/);
    expect((await refusal('u16nobom.csv', Buffer.from('code,name\r\n1,a\r\n', 'utf16le'))).code).to.equal('UNSUPPORTED_ENCODING');
    expect((await refusal('empty.xlsx', '')).code).to.equal('EMPTY_FILE');
  });

  it('refuses ZIPs that are not plain workbooks: docx, xlsm (macros), xlsb', async () => {
    const docx = buildZip([{ name: 'word/document.xml', data: Buffer.from('<w:document/>') }]);
    expect((await refusal('a.xlsx', docx)).message).to.match(/不是 Excel 工作簿/);
    const xlsm = buildZip([
      { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
      { name: 'xl/vbaProject.bin', data: Buffer.from('vba') },
    ]);
    expect((await refusal('b.xlsx', xlsm)).message).to.match(/包含宏/);
    const xlsb = buildZip([{ name: 'xl/workbook.bin', data: Buffer.from('bin') }]);
    expect((await refusal('c.xlsx', xlsb)).message).to.match(/\.xlsb/);
  });

  it('a CSV named .xlsx is read as CSV and an XLSX named .csv as XLSX', async () => {
    const csvAsXlsx = tmp.file('really-csv.xlsx', iconv.encode(`统一社会信用代码,企业名称\r\n${uscc(1)},宁波甲公司\r\n`, 'gbk'));
    const t1 = await openTable(csvAsXlsx);
    expect(t1.source).to.deep.equal({ kind: 'csv', encoding: 'gb18030', bom: false, delimiter: ',' });
    expect(texts(await collect(t1.rows))).to.deep.equal([[uscc(1), '宁波甲公司']]);

    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('s').addRows([['统一社会信用代码', '企业名称'], [uscc(1), '宁波甲公司']]);
    const real = tmp.file('real.xlsx');
    await wb.xlsx.writeFile(real);
    const xlsxAsCsv = tmp.file('really-xlsx.csv');
    copyFileSync(real, xlsxAsCsv);
    expect(await sniffFile(xlsxAsCsv)).to.deep.equal({ kind: 'xlsx' });
    const t2 = await openTable(xlsxAsCsv);
    expect(texts(await collect(t2.rows))).to.deep.equal([[uscc(1), '宁波甲公司']]);
  });

  it('detects the encoding, tolerating a character cut at the end of the sample', () => {
    const utf8 = Buffer.from('企业名称,园区', 'utf8');
    expect(detectEncoding(utf8.subarray(0, utf8.length - 1), false)).to.deep.equal({ encoding: 'utf8', bom: false });
    expect(detectEncoding(utf8.subarray(0, utf8.length - 1), true)).to.deep.equal({ encoding: 'gb18030', bom: false });
    expect(detectEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]), true)).to.deep.equal({ encoding: 'utf8', bom: true });
    expect(detectEncoding(iconv.encode('企业名称,园区', 'gbk'), true)).to.deep.equal({ encoding: 'gb18030', bom: false });
    expect(detectEncoding(Buffer.from('code,name'), true)).to.deep.equal({ encoding: 'utf8', bom: false });
  });

  it('detects GBK beyond a long ASCII start', async () => {
    const ascii = Array.from({ length: 3000 }, (_, i) => `${uscc(i)},company${i},x\r\n`).join('');
    const path = tmp.file('late-gbk.csv', Buffer.concat([Buffer.from(`code,name,park\r\n${ascii}`), iconv.encode(`${uscc(9)},宁波甲公司,园区\r\n`, 'gbk')]));
    expect(await sniffFile(path)).to.deep.equal({ kind: 'csv', encoding: 'gb18030', bom: false, delimiter: ',' });
  });

  it('picks the delimiter by counting outside quotes', () => {
    expect(detectDelimiter('a,b,c\n1,2,3\n')).to.equal(',');
    expect(detectDelimiter('a;b;c\n"1,5";"2,5";3\n')).to.equal(';');
    expect(detectDelimiter('a\tb\tc\n公司A,分公司\t2\t3\n')).to.equal('\t');
    expect(detectDelimiter('标题,,,,\na;b;c;d;e\n1;2;3;4;5\n2;3;4;5;6\n')).to.equal(';');
    expect(detectDelimiter('onlyonecolumn\nvalue\n')).to.equal(',');
  });
});
