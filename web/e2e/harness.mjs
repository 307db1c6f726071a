// Shared by the E2E test and the UI benchmark: starts `riskgraph demo` on a
// free port with its own data dir, and launches Debian's Chromium through
// playwright-core (never a downloaded browser).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const BIN = process.env.RISKGRAPH_BIN;
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!BIN) throw new Error('RISKGRAPH_BIN is not set (scripts/web-e2e.sh sets it)');

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

// The demo must use the embedded store: drop the services' settings.
function env() {
  const e = { ...process.env };
  for (const k of ['NEO4J_URI', 'REDIS_URL', 'RISKGRAPH_STORE', 'RISKGRAPH_ADDR', 'RISKGRAPH_DATA_DIR', 'NEO4J_DATABASE']) delete e[k];
  return e;
}

export class Demo {
  constructor(enterprises = 2000) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'rg-e2e-'));
    this.enterprises = enterprises;
    this.proc = null;
    this.log = '';
  }
  run(...args) {
    return execFileSync(BIN, [...args, '--data-dir', this.dir, '--log-format', 'json'], { env: env(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
  async start(...extra) {
    this.port = await freePort();
    this.base = `http://127.0.0.1:${this.port}`;
    this.log = '';
    this.proc = spawn(BIN, ['demo', '--enterprises', String(this.enterprises), '--data-dir', this.dir, '--addr', `127.0.0.1:${this.port}`,
      '--log-format', 'json', ...extra], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
    for (const s of [this.proc.stdout, this.proc.stderr]) s.on('data', (b) => { this.log += b; });
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 250))]);
      if (code !== undefined) throw new Error(`riskgraph demo exited (${code}):\n${this.log.slice(-3000)}`);
      try { if ((await fetch(this.base + '/healthz')).ok) return this; } catch { /* not up yet */ }
    }
    throw new Error('riskgraph demo did not come up within 120 s:\n' + this.log.slice(-3000));
  }
  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const done = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await done; clearTimeout(timer);
  }
  cleanup() { rmSync(this.dir, { recursive: true, force: true }); }
  async api(p, key) {
    const r = await fetch(this.base + '/api/v1' + p, { headers: key ? { Authorization: 'Bearer ' + key } : {} });
    if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
    return r.json();
  }
}

// launch starts Chromium with a fresh profile (--user-data-dir, which
// playwright-core passes for a persistent context) and returns its context.
export async function launch(options = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), 'rg-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, acceptDownloads: true, viewport: { width: 1440, height: 900 }, locale: 'zh-CN',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    ...options,
  });
  return { context, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}

// watch collects the page's console errors, uncaught exceptions and HTTP
// answers ≥ 400 into errors, except those allow(text or url) accepts.
export function watch(page, errors, allow = () => false) {
  page.on('console', (m) => { if (m.type() === 'error' && !allow(m.text())) errors.push('console: ' + m.text()); });
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  page.on('response', (r) => { if (r.status() >= 400 && !allow(r.url())) errors.push(`HTTP ${r.status()} ${r.url()}`); });
}

// ingest posts one CSV file to the demo's ingest API and fails on any
// rejected row.
export async function ingest(demo, kind, body, source = 'e2e') {
  const r = await fetch(`${demo.base}/api/v1/ingest/${kind}?source=${source}`, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body });
  const j = await r.json();
  if (!r.ok || j.total.rejected) throw new Error(`ingest ${kind}: ${r.status} ${JSON.stringify(j).slice(0, 500)}`);
}

// runChecks runs each check ({id, name, fn}) on a new page of its own, as
// fn(page, ctx), and fails it on an error the page reports (watch) unless
// allow(check, text) or ctx.allow(text) accepts it. ONLY=id,id runs only
// those. A failed check leaves a screenshot `${shot}${id}.png` in out; the
// page is closed afterwards unless keep(check). A check that has not ended
// after deadline ms (CHECK_DEADLINE_MS, default six times the step timeout
// and at least two minutes) fails as hung: page.evaluate and a few other
// steps have no timeout of their own, and a hung step must not stall the
// suite until CI's limit. It returns the results.
export async function runChecks({ checks, newPage, out, log, timeout = 20_000, shot = 'fail-', allow = () => false, keep = () => false }) {
  const deadline = Number(process.env.CHECK_DEADLINE_MS) || Math.max(6 * timeout, 120_000);
  const only = (process.env.ONLY || '').split(',').filter(Boolean);
  const results = [];
  for (const c of checks) {
    if (only.length && !only.includes(c.id)) continue;
    const page = await newPage();
    const errors = [];
    const ctx = { allow: () => false };
    watch(page, errors, (s) => allow(c, s) || ctx.allow(s));
    page.setDefaultTimeout(timeout);
    const s = Date.now();
    let timer;
    const hung = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`hung: not ended after ${deadline / 1000} s (a step without a timeout of its own waited; see the screenshot)`)), deadline);
    });
    const run = Promise.resolve().then(() => c.fn(page, ctx));
    run.catch(() => {}); // after a hang its late failure is not the suite's
    try {
      await Promise.race([run, hung]);
      if (errors.length) throw new Error('errors in the browser:\n    ' + errors.join('\n    '));
      results.push({ ...c, ok: true });
      log(`PASS ${c.id}: ${c.name} (${((Date.now() - s) / 1000).toFixed(1)} s)`);
    } catch (e) {
      results.push({ ...c, ok: false, err: e.message });
      await page.screenshot({ path: path.join(out, `${shot}${c.id}.png`) }).catch(() => {});
      log(`FAIL ${c.id}: ${c.name}\n    ${e.message.split('\n').join('\n    ')}`);
    } finally {
      clearTimeout(timer);
    }
    if (!keep(c)) await page.close();
  }
  return results;
}

// reportChecks prints the suite's tally and exits 1 when a check failed.
export function reportChecks(suite, results) {
  const failed = results.filter((r) => !r.ok);
  console.log(`${suite}: ${results.length - failed.length} passed, ${failed.length} failed`);
  if (failed.length) process.exit(1);
}
