// Types a query into the search page in headless Chromium and reports what a reader sees.
// Usage: node search.mjs <page-url> <query>
import { chromium } from 'playwright-core';

const [url, query] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const requests = [];
  page.on('requestfinished', async (req) => {
    const res = await req.response();
    const body = res ? await res.body().catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
    requests.push({ url: req.url(), bytes: body.length });
  });
  await page.goto(url, { waitUntil: 'load' });
  const before = requests.length;
  await page.fill('#search-q', query);
  await page.press('#search-q', 'Enter');
  await page.waitForSelector('#search-results[data-ms]', { timeout: 15000 });
  const result = await page.evaluate(() => ({
    titles: [...document.querySelectorAll('.result__title')].map((e) => e.textContent),
    marks: [...document.querySelectorAll('.search-results mark')].map((e) => e.textContent),
    status: document.getElementById('search-status').textContent,
    ms: Number(document.getElementById('search-results').dataset.ms),
    url: location.href,
  }));
  result.pageRequests = requests.slice(0, before);
  result.queryRequests = requests.slice(before);
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
}
