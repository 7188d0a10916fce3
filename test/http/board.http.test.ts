import { expect } from 'chai';
import { createFirm } from '../helpers/factories.js';
import { createTestContext, html, type TestContext } from '../helpers/test-app.js';
import { bumpDataGeneration } from '../../src/lib/cache.js';

describe('GET /board', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
    const admin = t.basics.users.admin.id;
    await createFirm(t.db, { name: '余姚市舜宇光电科技有限公司', stage: 'candidate', parkId: t.basics.parks.a, field: 'electronic_info', actorId: admin });
    await createFirm(t.db, { name: '宁波江丰电子材料股份有限公司', stage: 'tech_sme', parkId: t.basics.parks.a, field: 'new_materials', actorId: admin });
    await createFirm(t.db, { name: '余姚市智昌机器人科技有限公司', stage: 'tech_sme', parkId: t.basics.parks.b, field: 'advanced_manufacturing', actorId: admin });
    await createFirm(t.db, { name: '余姚市嘉诚模具有限公司', stage: 'hte_certified', parkId: t.basics.parks.b, field: 'advanced_manufacturing', actorId: admin });
  });
  after(() => t.destroy());

  it('When a browser asks, then it gets the whole page with one column per stage grouped by tier, each with its count', async () => {
    const res = await t.admin.get('/board').expect(200);
    expect(res.headers['content-type']).to.match(/text\/html; charset=utf-8/);
    expect(res.headers.vary).to.match(/HX-Request/);
    const doc = html(res.text);
    expect(doc.querySelector('html')).to.not.equal(null);
    expect(doc.querySelectorAll('.board-group h2').map((h) => h.text.replace(/\s+\d+$/, '').trim())).to.deep.equal(['候选名单', '微成长', '小升高', '高壮大', '退库']);
    expect(doc.querySelectorAll('.column').length).to.equal(8);
    expect(doc.getElementById('count-tech_sme')!.text).to.equal('2');
    expect(doc.getElementById('count-candidate')!.text).to.equal('1');
    expect(doc.getElementById('group-count-small_to_high')!.text).to.equal('2');
    expect(doc.getElementById('board-total')!.text).to.equal('4');
  });

  it('When the address carries a stage, then every column still shows its own cards and their count (the columns are the stages)', async () => {
    const doc = html((await t.admin.get('/board?stage=candidate').expect(200)).text);
    expect(doc.getElementById('count-tech_sme')!.text).to.equal('2');
    expect(doc.querySelectorAll('#cards-tech_sme .card').length).to.equal(2);
    expect(doc.getElementById('board-total')!.text).to.equal('4');
  });

  it('When htmx asks, then it gets only the board fragment', async () => {
    const res = await t.admin.get('/board?park=' + t.basics.parks.a).set('HX-Request', 'true').expect(200);
    expect(res.text).to.not.include('<html');
    const doc = html(res.text);
    expect(doc.getElementById('board')).to.not.equal(null);
    expect(doc.getElementById('count-tech_sme')!.text).to.equal('1');
  });

  it('When a history restore asks with HX-Request, then it still gets the full page', async () => {
    const res = await t.admin.get('/board').set('HX-Request', 'true').set('HX-History-Restore-Request', 'true').expect(200);
    expect(res.text).to.include('<html');
  });

  it('Cards show name, park and days in stage, and link to the firm page by credit code', async () => {
    const res = await t.admin.get('/board').expect(200);
    const card = html(res.text).querySelector('#cards-hte_certified .card')!;
    expect(card.querySelector('.card-name')!.text).to.equal('余姚市嘉诚模具有限公司');
    expect(card.querySelector('.card-name')!.getAttribute('href')).to.match(/^\/firms\/[0-9A-Z]{18}$/);
    expect(card.querySelector('.card-park')!.text).to.equal('中意宁波生态园');
    expect(card.querySelector('.card-days')!.text).to.match(/^\d+ 天$/);
    expect(card.getAttribute('data-version')).to.equal('1');
  });

  describe('filters live in the URL and the counts follow them', () => {
    const count = async (qs: string, stage: string) => html((await t.admin.get(`/board?${qs}`).expect(200)).text).getElementById(`count-${stage}`)!.text;

    it('filters by park', async () => {
      expect(await count(`park=${t.basics.parks.b}`, 'tech_sme')).to.equal('1');
      expect(await count(`park=${t.basics.parks.b}`, 'hte_certified')).to.equal('1');
      expect(await count(`park=${t.basics.parks.b}`, 'candidate')).to.equal('0');
    });
    it('filters by technical field', async () => {
      expect(await count('field=advanced_manufacturing', 'tech_sme')).to.equal('1');
      expect(await count('field=advanced_manufacturing', 'candidate')).to.equal('0');
    });
    it('searches names of three or more characters', async () => {
      const res = await t.admin.get('/board?q=' + encodeURIComponent('江丰电子')).expect(200);
      const doc = html(res.text);
      expect(doc.getElementById('count-tech_sme')!.text).to.equal('1');
      expect(doc.querySelectorAll('.card').map((c) => c.querySelector('.card-name')!.text)).to.deep.equal(['宁波江丰电子材料股份有限公司']);
    });
    it('searches two-character names too (trigram search cannot; a scan does)', async () => {
      const res = await t.admin.get('/board?q=' + encodeURIComponent('嘉诚')).expect(200);
      expect(html(res.text).querySelectorAll('.card').length).to.equal(1);
    });
    it('finds a firm by the first characters of its credit code', async () => {
      const uscc = (await t.db('firms').where({ name: '余姚市智昌机器人科技有限公司' }).first('uscc')).uscc as string;
      const res = await t.admin.get('/board?q=' + uscc.slice(0, 12).toLowerCase()).expect(200);
      const names = html(res.text).querySelectorAll('.card .card-name').map((c) => c.text);
      expect(names).to.include('余姚市智昌机器人科技有限公司');
    });
    it('treats LIKE wildcards and quotes in the search literally', async () => {
      for (const q of ['%', '_', '"', "' OR 1=1 --", '%江%']) {
        const res = await t.admin.get('/board?q=' + encodeURIComponent(q)).expect(200);
        expect(html(res.text).getElementById('board-total')!.text, q).to.equal('0');
      }
    });
    it('ignores filter values that are not valid, instead of failing', async () => {
      const res = await t.admin.get('/board?park=abc&field=nonsense&counsellor=-1').expect(200);
      expect(html(res.text).getElementById('board-total')!.text).to.equal('4');
    });
    it('keeps the chosen filters selected in the form when the URL is reloaded', async () => {
      const res = await t.admin.get(`/board?park=${t.basics.parks.b}&field=advanced_manufacturing`).expect(200);
      const doc = html(res.text);
      expect(doc.querySelector('select[name=park] option[selected]')!.getAttribute('value')).to.equal(String(t.basics.parks.b));
      expect(doc.querySelector('select[name=field] option[selected]')!.getAttribute('value')).to.equal('advanced_manufacturing');
    });
  });
});

describe('board columns page on the server', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
    for (let i = 0; i < 30; i++) {
      await createFirm(t.db, { stage: 'incubating', at: `2025-01-${String(i + 1).padStart(2, '0')}T02:00:00.000Z`, actorId: t.basics.users.admin.id });
    }
  });
  after(() => t.destroy());

  it('When a column holds more cards than a page, then the board shows the newest page and a "load more" button', async () => {
    const doc = html((await t.admin.get('/board').expect(200)).text);
    expect(doc.querySelectorAll('#cards-incubating .card').length).to.equal(25);
    expect(doc.getElementById('count-incubating')!.text).to.equal('30');
    expect(doc.querySelector('.load-more')).to.not.equal(null);
  });

  it('When "load more" is followed, then the rest arrives with no repeats and no further button', async () => {
    const doc = html((await t.admin.get('/board').expect(200)).text);
    const first = doc.querySelectorAll('#cards-incubating .card').map((c) => c.getAttribute('data-uscc'));
    const url = doc.querySelector('.load-more')!.getAttribute('hx-get')!;
    const more = await t.admin.get(url).set('HX-Request', 'true').expect(200);
    const page = html(more.text);
    const next = page.querySelectorAll('.card').map((c) => c.getAttribute('data-uscc'));
    expect(next.length).to.equal(5);
    expect(next.filter((u) => first.includes(u))).to.deep.equal([]);
    expect(page.querySelector('[hx-swap-oob]')!.getAttribute('hx-swap-oob')).to.equal('beforeend:#cards-incubating');
    expect(page.querySelector('.load-more')).to.equal(null);
  });

  it('When a column fragment is asked for an unknown stage, then it answers 404', async () => {
    await t.admin.get('/board/columns/nonsense').set('HX-Request', 'true').expect(404);
  });

  it('When the cursor is malformed, then the first page is returned rather than an error', async () => {
    const res = await t.admin.get('/board/columns/incubating?after=%27;drop').set('HX-Request', 'true').expect(200);
    expect(html(res.text).querySelectorAll('.card').length).to.equal(25);
  });
});

describe('the board kept between writes', () => {
  let t: TestContext;
  before(async () => {
    t = await createTestContext();
    await createFirm(t.db, { stage: 'incubating', actorId: t.basics.users.admin.id });
  });
  after(() => t.destroy());

  const total = async (url = '/board') => html((await t.admin.get(url).expect(200)).text).getElementById('board-total')!.text;

  it('answers a repeated view without reading the firms again, shows a write it hears of at once, and never keeps a search', async () => {
    expect(await total()).to.equal('1');
    const tables: string[] = [];
    const seen = (q: { sql: string }) => void tables.push(q.sql);
    t.db.on('query', seen);
    try {
      await t.admin.get('/board').expect(200);
    } finally {
      t.db.off('query', seen);
    }
    expect(tables.filter((sql) => /firms|list_entries|follow_ups|eligibility/.test(sql))).to.deep.equal([]);

    // Written behind the app's back (as another process on SQLite would): the kept board stays until a write is heard of.
    await createFirm(t.db, { stage: 'incubating', name: '余姚市保留测试科技有限公司', actorId: t.basics.users.admin.id });
    expect(await total()).to.equal('1');
    expect(await total('/board?q=保留测试')).to.equal('1');
    bumpDataGeneration(); // what a write of this process, or the change feed for another's, does
    expect(await total()).to.equal('2');
  });
});
