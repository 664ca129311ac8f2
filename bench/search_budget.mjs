// Measures the search page's budget in headless Chromium: bytes downloaded and milliseconds
// per query, for a list of typical queries typed one after another on one page.
//
//   nuri --root /tmp/nuri-bench/nuri-10000 serve --port 8123 &
//   NODE_PATH=tests/browser/node_modules node bench/search_budget.mjs http://127.0.0.1:8123/search/
//
// The time is what the page's script reports (`data-ms`: from the query to the rendered
// results, fetches included); bytes are response bodies fetched for that query.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.resolve('tests/browser/package.json'));
const { chromium } = require('playwright-core');

const url = process.argv[2];
const queries = process.argv.length > 3 ? process.argv.slice(3) : [
  '규제', '개방형 모델', '데이터', '판교', '보안체계', '시범사업', '투자', '인프라',
  '정부 정책', 'policy', 'robotics', 'open', 'framework', '가이드라인',
];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage();
  let bytes = [];
  page.on('requestfinished', async (req) => {
    const res = await req.response();
    const body = res ? await res.body().catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
    bytes.push({ url: req.url(), n: body.length });
  });
  await page.goto(url, { waitUntil: 'load' });
  await new Promise((r) => setTimeout(r, 300));
  const pageBytes = bytes.reduce((a, b) => a + b.n, 0);
  const script = bytes.filter((b) => b.url.endsWith('.js')).reduce((a, b) => a + b.n, 0);
  const rows = [];
  for (const q of queries) {
    bytes = [];
    await page.evaluate(() => { delete document.getElementById('search-results').dataset.ms; });
    await page.fill('#search-q', q);
    await page.press('#search-q', 'Enter');
    await page.waitForSelector('#search-results[data-ms]', { timeout: 15000 });
    await new Promise((r) => setTimeout(r, 100));
    const ms = await page.evaluate(() => Number(document.getElementById('search-results').dataset.ms));
    const results = await page.evaluate(() => document.querySelectorAll('.result__title').length);
    rows.push({ q, ms, kb: bytes.reduce((a, b) => a + b.n, 0) / 1024, files: bytes.length, results });
  }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  console.log(`page load: ${(pageBytes / 1024).toFixed(1)} KB (script ${(script / 1024).toFixed(1)} KB)`);
  for (const r of rows) {
    console.log(`${r.q}\t${r.ms.toFixed(1)} ms\t${r.kb.toFixed(1)} KB in ${r.files} files\t${r.results} results`);
  }
  console.log(`median: ${median(rows.map((r) => r.ms)).toFixed(1)} ms, ${median(rows.map((r) => r.kb)).toFixed(1)} KB; ` +
    `max: ${Math.max(...rows.map((r) => r.ms)).toFixed(1)} ms, ${Math.max(...rows.map((r) => r.kb)).toFixed(1)} KB`);
} finally {
  await browser.close();
}
