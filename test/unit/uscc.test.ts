import { expect } from 'chai';
import { normalizeUscc, parseUscc, usccCheckCharacter, organizationCodeCheckPasses } from '../../src/domain/uscc.js';

describe('credit code (GB 32100-2015, domain.md §7)', () => {
  describe('real published codes (§7.6) pass', () => {
    for (const [firm, code] of [
      ['华为技术有限公司', '914403001922038216'],
      ['宁波恒拓物联网有限公司', '91330281677691616Q'],
      ['validator-library example', '91350100M000100Y43'],
      ['security.md fixture', '91110108551385082Q'],
    ] as const) {
      it(`When the code of ${firm} is checked, then it is accepted unchanged`, () => {
        const r = parseUscc(code);
        expect(r).to.deep.include({ ok: true, code });
      });
    }
  });

  describe('mock "real-looking" codes with wrong check characters (§7.6) are refused', () => {
    for (const code of ['91110108717809965C', '91110105MA0118XG3J', '91440300729865614P', '914403007192068994', '91330100MA27XXXX1X']) {
      it(`When ${code} is checked, then it is refused on its check character or code set`, () => {
        const r = parseUscc(code);
        expect(r.ok).to.equal(false);
      });
    }
    it('When 91110108717809965C is checked, then the message says the check character is wrong, without revealing the expected one', () => {
      const r = parseUscc('91110108717809965C');
      expect(r).to.include({ ok: false, problem: 'check_character' });
      if (!r.ok) expect(r.message).to.include('校验位').and.not.match(/应为|expected/);
    });
  });

  describe('check character algorithm (§7.3)', () => {
    it('When S mod 31 is 0 the check character is 0, and when it is 1 the check character is Y', () => {
      // Search two prefixes that hit those remainders, and confirm the mapping.
      const CS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
      const W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
      const sum = (s: string) => [...s].reduce((a, ch, i) => a + CS.indexOf(ch) * W[i]!, 0);
      let zero = '', one = '';
      for (let n = 0; (!zero || !one) && n < 100000; n++) {
        const p = `9133028100${String(n).padStart(7, '0')}`;
        if (!zero && sum(p) % 31 === 0) zero = p;
        if (!one && sum(p) % 31 === 1) one = p;
      }
      expect(usccCheckCharacter(zero)).to.equal('0');
      expect(usccCheckCharacter(one)).to.equal('Y');
    });
    it('When the embedded organisation code of a real code is checked (§7.4), then it passes', () => {
      expect(organizationCodeCheckPasses('677691616')).to.equal(true);
      expect(organizationCodeCheckPasses('677691617')).to.equal(false);
    });
  });

  describe('normaliser policy table (§7.5)', () => {
    const valid = '91330281677691616Q';
    const accepted: [string, string][] = [
      ['leading and trailing whitespace', `  ${valid}\t`],
      ['inner spaces and NBSP', '9133 0281\u00A06776 91616Q'],
      ['ideographic space U+3000', `\u3000${valid}\u3000`],
      ['zero-width characters and a BOM', `\uFEFF9133\u200B0281677691616\u200DQ`],
      ['full-width characters', '９１３３０２８１６７７６９１６１６Ｑ'],
      ['lower case', '91330281677691616q'],
    ];
    for (const [what, input] of accepted) {
      it(`When the input has ${what}, then it is normalised to the code`, () => {
        expect(parseUscc(input)).to.deep.include({ ok: true, code: valid });
      });
    }

    const refused: [string, string, string, RegExp][] = [
      ['a forbidden letter O', '91330281677691616O'.replace('616O', '61O6'), 'forbidden_letter', /字母 O/],
      ['a forbidden letter I (lower case i)', '9133028167769i616Q', 'forbidden_letter', /字母 I/],
      ['the letters S, V or Z', '91330281677691S16Q', 'forbidden_letter', /I、O、Z、S、V/],
      ['a hyphen', '91330281-677691616Q', 'punctuation', /符号/],
      ['a slash', '91330281/677691616Q', 'punctuation', /符号/],
      ['the old 15-digit registration number', '330281000123456', 'registration_number', /注册号/],
      ['a 9-character organisation code', '677691616', 'organization_code', /组织机构代码/],
      ['an organisation code with its hyphen', '67769161-6', 'organization_code', /组织机构代码/],
      ['17 characters', '91330281677691616', 'wrong_length', /当前为17位/],
      ['19 characters', '91330281677691616Q1', 'wrong_length', /当前为19位/],
      ['Excel scientific notation', '9.14403E+17', 'scientific_notation', /科学计数法/],
      ['a letter in the region code (positions 3–8)', '9133A281677691616Q', 'region_not_digits', /第3至8位/],
      ['a Chinese character', '913302816776916号Q', 'bad_character', /号/],
      ['a wrong check character', '91330281677691616R', 'check_character', /校验位/],
      ['nothing at all', '   ', 'empty', /请填写/],
    ];
    for (const [what, input, problem, message] of refused) {
      it(`When the input has ${what}, then it is refused (${problem}) with a message a caseworker understands`, () => {
        const r = parseUscc(input);
        expect(r.ok).to.equal(false);
        if (!r.ok) {
          expect(r.problem).to.equal(problem);
          expect(r.message).to.match(message);
        }
      });
    }

    it('When positions 3–8 are a region code no longer in GB/T 2260, then the code is still accepted (codes never change)', () => {
      // 330200 is Ningbo's own code; an abolished county code is equally fine as long as it is six digits.
      const code = '91' + '339999' + '677691616';
      const full = code + usccCheckCharacter(code);
      expect(parseUscc(full).ok).to.equal(true);
    });

    it('When a letter that looks like a digit is refused, then the code is never auto-corrected', () => {
      const r = parseUscc('91330281677691616O');
      expect(r.ok).to.equal(false);
    });

    it('normalizeUscc only strips noise and converts width and case', () => {
      expect(normalizeUscc(' ９１ab\u200B ')).to.equal('91AB');
    });
  });
});
