#!/usr/bin/env node
// End-to-end test of `newsidx serve` in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core; never a downloaded browser).
//
// usage: node serve.test.js URL ARTIFACT_DIR
//   URL           a running `newsidx serve` over the serve test index
//                 (tests/e2e/serve_lib.sh: corpus/, tests/data/serve/, a
//                 second version of the seed)
//   ARTIFACT_DIR  where the screenshots go (created)
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const base = process.argv[2];
const outDir = process.argv[3];
const executablePath = process.env.NX_CHROMIUM || '/usr/bin/chromium';

let passed = 0;
let failed = 0;

function check(cond, what) {
  if (cond) {
    passed++;
  } else {
    failed++;
    console.error('FAIL: ' + what);
  }
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(outDir, name + '.png'), fullPage: true });
}

async function searchFor(page, text) {
  await page.fill('#q', text);
  await Promise.all([page.waitForURL(/\?/), page.press('#q', 'Enter')]);
}

async function count(page) {
  const n = await page.getAttribute('#count', 'data-total');
  return n === null ? -1 : Number(n);
}

async function main() {
  if (!base || !outDir) {
    console.error('usage: node serve.test.js URL ARTIFACT_DIR');
    process.exit(2);
  }
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const dialogs = [];
    const pageErrors = [];
    const consoleErrors = [];
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });

    // the start page
    await page.goto(base);
    check((await page.textContent('.intro')).includes('articles'), 'the start page tells what the index holds');
    check(await page.evaluate(() => document.activeElement && document.activeElement.id === 'q'),
      'the query box has the focus');
    await shot(page, '01-start');

    // type "cyberattack RNC": the seed first, both words highlighted
    await searchFor(page, 'cyberattack RNC');
    const first = page.locator('.hit').first();
    const title = await first.locator('h2 a').textContent();
    check(title.startsWith('Lavrov: US Gave Russia'), 'the seed article is the first hit (got: ' + title + ')');
    const marks = (await first.locator('.snippet mark').allTextContents()).map((s) => s.toLowerCase());
    check(marks.includes('cyberattack') && marks.includes('rnc'),
      'both words are highlighted in the snippet (got: ' + marks.join(', ') + ')');
    const bg = await first.locator('.snippet mark').first()
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    check(bg !== 'rgba(0, 0, 0, 0)', 'highlights are styled (the stylesheet loaded under the CSP)');
    const meta = await first.locator('.meta').textContent();
    check(/updated \d+ months later/.test(meta), 'the hit says how much later it was updated (' + meta + ')');
    const credits = await first.locator('.credits').textContent();
    check(credits.includes('Ramil Sitdikov') && credits.includes('Evelyn Hockstein'),
      'the hit lists both photo credits');
    check((await page.locator('.facet[data-facet="credit"] li').count()) >= 2, 'credit facets are shown');
    await shot(page, '02-results');

    // open it: both photo credits, the source, the revisions and their diff
    await Promise.all([page.waitForURL(/\/a\//), first.locator('h2 a').click()]);
    check((await page.textContent('h1')).startsWith('Lavrov'), 'the article page shows the title');
    const photoCredits = await page.locator('.photo .credit').allTextContents();
    check(photoCredits.some((s) => s.includes('Sputnik / Ramil Sitdikov')), 'the Sputnik credit is shown');
    check(photoCredits.some((s) => s.includes('Reuters / Evelyn Hockstein')), 'the Reuters credit is shown');
    check((await page.locator('.photo .caption').count()) === 2, 'both captions are shown');
    check((await page.textContent('.origin')).includes('seed-v2.txt'), 'the file of the current text is named');
    check((await page.locator('.revisions tbody tr').count()) === 2, 'both versions are listed');
    check((await page.locator('.diff ins').count()) >= 1, 'the diff marks added words');
    check((await page.locator('.diff ins').allTextContents()).join(' ').includes('Geneva'),
      'the diff shows the added sentence');
    await shot(page, '03-article');

    // an earlier version, from the revisions table
    await Promise.all([page.waitForURL(/rev=/), page.locator('.revisions tbody tr').first().locator('a').first().click()]);
    check((await page.textContent('.note')).includes('earlier version'), 'an earlier version says so');
    check(!(await page.textContent('.body')).includes('Geneva'), 'the earlier version has the earlier text');
    await shot(page, '04-earlier-version');

    // filter by date: the count changes
    await page.goto(base);
    await searchFor(page, 'harbour');
    const before = await count(page);
    await page.click('.filters summary');
    await page.fill('input[name=since]', '2023-01-01');
    await Promise.all([page.waitForURL(/since=2023-01-01/), page.click('.frow button')]);
    const after = await count(page);
    check(before > 0 && after > 0 && after < before, 'the date filter changes the count (' + before + ' -> ' + after + ')');
    const dates = await page.locator('.hit .meta time').evaluateAll((els) =>
      els.filter((e) => !e.closest('.updated')).map((e) => e.getAttribute('datetime')));
    check(dates.length === after && dates.every((d) => d >= '2023-01-01'), 'every hit is from the range');
    check(!page.url().includes('credit=') && !page.url().includes('sort='), 'empty filters stay out of the address');
    await shot(page, '05-date-filter');

    // a facet link narrows by source
    const facet = page.locator('.facet[data-facet="source"] a').first();
    const facetName = await facet.textContent();
    await Promise.all([page.waitForURL(/source=/), facet.click()]);
    const sources = await page.locator('.hit .source').allTextContents();
    check(sources.length > 0 && sources.every((s) => s === facetName), 'a source facet narrows the hits');

    // did you mean
    await page.goto(base);
    await searchFor(page, 'cyberatack');
    check((await page.textContent('.suggestion')) === 'cyberattack', '"did you mean" proposes the right word');
    await Promise.all([page.waitForURL(/q=cyberattack/), page.click('.suggestion')]);
    check((await count(page)) === 1, 'the suggestion finds the article');

    // pagination
    await page.goto(base + '?since=1900-01-01');
    check((await page.locator('.hit').count()) === 10, 'a page holds ten hits');
    await Promise.all([page.waitForURL(/offset=10/), page.click('.pages .next')]);
    check((await page.textContent('.pages')).includes('Page 2 of'), 'the next page is page 2');

    // the hostile title renders as text, and nothing runs
    await page.goto(base);
    await searchFor(page, 'xylophonist');
    const hostile = await page.locator('.hit h2 a').first().textContent();
    check(hostile === '<script>alert(1)</script>', 'the hostile title shows as text (got: ' + hostile + ')');
    await shot(page, '06-hostile-results');
    await Promise.all([page.waitForURL(/\/a\//), page.locator('.hit h2 a').first().click()]);
    check((await page.textContent('h1')) === '<script>alert(1)</script>', 'the hostile article title shows as text');
    check((await page.textContent('.facts')).includes('<img src=x onerror=alert(4)>'), 'the hostile byline shows as text');
    check(await page.evaluate(() => document.scripts.length === 1 && document.images.length === 0),
      'the hostile article adds no script and no image');
    check((await page.locator('a[href^="javascript:"]').count()) === 0, 'no javascript: link');
    await shot(page, '07-hostile-article');
    check(dialogs.length === 0, 'no alert() ran (got: ' + dialogs.join(', ') + ')');
    check(pageErrors.length === 0, 'no script error (got: ' + pageErrors.join('; ') + ')');
    check(consoleErrors.length === 0, 'no console error, no CSP violation (got: ' + consoleErrors.join('; ') + ')');

    // readable on a phone: nothing wider than the screen
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true,
      deviceScaleFactor: 2 });
    const p2 = await phone.newPage();
    await p2.goto(base + '?q=cyberattack+RNC');
    check(await p2.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1),
      'the results fit a phone screen');
    await shot(p2, '08-phone-results');
    await p2.goto(base + 'a/87ec169d');
    check(await p2.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1),
      'the article fits a phone screen');
    await shot(p2, '09-phone-article');
    await phone.close();

    // works without JavaScript
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    const p3 = await noJs.newPage();
    await p3.goto(base);
    await p3.fill('#q', 'cyberattack RNC');
    await Promise.all([p3.waitForURL(/q=cyberattack/), p3.press('#q', 'Enter')]);
    check((await p3.locator('.hit').count()) === 1, 'searching works without JavaScript');
    await noJs.close();
  } finally {
    await browser.close();
  }
  console.log(passed + ' passed, ' + failed + ' failed');
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error('FAIL: ' + (e && e.stack ? e.stack : e));
  console.log(passed + ' passed, ' + (failed + 1) + ' failed');
  process.exit(1);
});
