import { expect } from 'chai';
import { officialValues } from '../../src/features/certifications/official-import.js';
import { dayOfText as officialDate } from '../../src/lib/dates.js';

describe('official list rows: dates and numbers as recorded', () => {
  it('reads the date forms agencies publish, and refuses what is not a calendar date', () => {
    expect(officialDate('2025-12-01')).to.equal('2025-12-01');
    expect(officialDate('2025/12/1')).to.equal('2025-12-01');
    expect(officialDate('2025.3.9')).to.equal('2025-03-09');
    expect(officialDate('2025年12月1日')).to.equal('2025-12-01');
    expect(officialDate('2025-02-30')).to.equal(null);
    expect(officialDate('十二月')).to.equal(null);
  });
  it('takes the number of the list’s kind, without spaces, upper case; a bad date is a reason in Chinese', () => {
    expect(officialValues('hte_filing', { certificate_no: 'gr 2025 3300 1234', cert_date: '2025-12-01' })).to.deep.equal({ date: '2025-12-01', number: 'GR202533001234' });
    expect(officialValues('tsme_registration', { registration_no: '20253302810A001234', cert_date: '2025/5/20' })).to.deep.equal({ date: '2025-05-20', number: '20253302810A001234' });
    expect(officialValues('hte_publicity', { cert_date: '2025-10-1' })).to.deep.equal({ date: '2025-10-01', number: null });
    expect(officialValues('hte_filing', { certificate_no: 'GR202533001234', cert_date: '明年' })).to.deep.equal({ error: '日期“明年”无法识别，请写成 YYYY-MM-DD。' });
  });
});
