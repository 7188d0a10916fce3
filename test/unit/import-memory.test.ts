import { expect } from 'chai';
import { previewHeapLimitMiB } from '../../src/features/lists/import-runner.js';

describe('the heap a list preview may use', () => {
  it('is a fixed 192 MiB for CSV, which streams', () => {
    expect(previewHeapLimitMiB('csv', { encoding: 'gbk' })).to.equal(192);
  });

  it('grows with an XLSX file\'s shared strings, which stay in memory while it is read', () => {
    const MiB = 1024 * 1024;
    expect(previewHeapLimitMiB('xlsx', { sharedStringsBytes: 0 })).to.equal(192);
    expect(previewHeapLimitMiB('xlsx', { sharedStringsBytes: 8.3 * MiB })).to.equal(209);
    // The largest shared strings the upload guard lets through (100 MiB): room for the 170–190 MiB measured at 97 MiB.
    expect(previewHeapLimitMiB('xlsx', { sharedStringsBytes: 100 * MiB })).to.equal(392);
  });

  it('is not limited for a workbook uploaded before its shared strings were measured', () => {
    expect(previewHeapLimitMiB('xlsx', { sheet: '名单' })).to.equal(undefined);
    expect(previewHeapLimitMiB('xlsx', null)).to.equal(undefined);
  });
});
