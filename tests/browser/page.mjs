// Loads a page in headless Chromium and reports what went wrong on it: Content-Security-Policy
// violations, console errors, failed requests, and the Cumulative Layout Shift while it
// settled. When the page is the search page, waits for its results first.
// Usage: node page.mjs <page-url>
import { chromium } from 'playwright-core';

const [url] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  // A phone-sized viewport, as Lighthouse's mobile run uses.
  const page = await browser.newPage({ viewport: { width: 412, height: 823 } });
  const consoleErrors = [];
  const failed = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('requestfailed', (r) => {
    // The live-reload stream of `nuri serve` is cut when the page closes; not a failure.
    if (!r.url().includes('/__nuri/live')) failed.push(r.url() + ' ' + (r.failure()?.errorText || ''));
  });
  page.on('response', (r) => { if (r.status() >= 400) failed.push(r.url() + ' ' + r.status()); });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
    });
    window.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  if (await page.$('#search-results')) {
    if (new URL(url).searchParams.get('q')) {
      await page.waitForSelector('#search-results[data-ms]', { timeout: 15000 });
    }
  }
  // Let late layout work (fonts, images) settle.
  await page.waitForTimeout(500);
  const result = await page.evaluate(() => ({
    violations: window.__violations,
    cls: window.__cls,
    results: document.querySelectorAll('.result').length,
    status: document.getElementById('search-status')?.textContent ?? null,
    title: document.title,
  }));
  result.csp = response.headers()['content-security-policy'] || null;
  result.consoleErrors = consoleErrors;
  result.failed = failed;
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
}
