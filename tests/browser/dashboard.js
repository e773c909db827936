// The dashboard in real headless Chromium, against the real demo.
//
// Starts scripts/demo.sh on a free port, loads the page, checks that every
// plugin shows up healthy (sluggish: degraded), crashes one from the page,
// watches it go unhealthy, restart and come back, restarts it with the
// button, checks the event timeline, and saves a screenshot. Everything it
// started is stopped on the way out, whatever happened.
//
// Environment: VIGIL_BUILD (build directory), VIGIL_SCREENSHOT (default
// docs/dashboard.png), VIGIL_BROWSER (default /usr/bin/chromium).
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const REPO = path.resolve(__dirname, '..', '..');
const BUILD = process.env.VIGIL_BUILD || path.join(REPO, 'build');
const SHOT = process.env.VIGIL_SCREENSHOT ||
    path.join(REPO, 'docs', 'dashboard.png');
const BROWSER = process.env.VIGIL_BROWSER || '/usr/bin/chromium';
const EXPECTED = { antiabuse: 'healthy', crasher: 'healthy',
    sandbox: 'healthy', sluggish: 'degraded', steady: 'healthy' };
const VICTIM = 'sandbox';
const RECOVER_BOUND_MS = 15000;	// crash or restart -> healthy again

let demo = null;		// the demo.sh child
let demoOut = '';
let context = null;
let userDataDir = null;
let failed = false;

function log(msg) {
	process.stdout.write(msg + '\n');
}

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

// Start the demo; resolves with its URL once it says every plugin is up.
function startDemo(port) {
	demo = spawn('bash', [path.join(REPO, 'scripts', 'demo.sh')], {
		env: { ...process.env, VIGIL_BUILD: BUILD,
		    VIGIL_DEMO_PORT: String(port), VIGIL_DEMO_ADDR: '127.0.0.1',
		    VIGIL_DEMO_LOGS: '0' },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const exited = new Promise((resolve) => demo.once('exit',
	    (code, sig) => resolve({ code, sig })));
	demo.exited = exited;
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(
		    'demo did not come up within 60 s')), 60000);
		const onData = (d) => {
			demoOut += d.toString();
			const m = demoOut.match(/dashboard: (http:\S+)/);
			if (m) {
				clearTimeout(timer);
				resolve(m[1].replace(/\/$/, ''));
			}
		};
		demo.stdout.on('data', onData);
		demo.stderr.on('data', onData);
		exited.then(({ code }) => {
			clearTimeout(timer);
			reject(new Error('demo exited early, status ' + code));
		});
	});
}

// SIGTERM the demo and check it cleaned up: status 0, directory gone.
async function stopDemo() {
	if (!demo || demo.exitCode !== null || demo.signalCode !== null)
		return demo ? demo.exited : null;
	demo.kill('SIGTERM');
	const res = await Promise.race([demo.exited, sleep(30000)]);
	if (!res) {
		demo.kill('SIGKILL');
		throw new Error('demo did not stop within 30 s');
	}
	return res;
}

async function step(name, fn) {
	const t0 = Date.now();
	await fn();
	log('ok - ' + name + ' (' + (Date.now() - t0) + ' ms)');
}

function card(page, name) {
	return page.locator('.card[data-plugin="' + name + '"]');
}

async function waitStates(page, want, timeout) {
	await page.waitForFunction((w) => Object.keys(w).every((n) => {
		const c = document.querySelector('.card[data-plugin="' + n +
		    '"]');
		return c && c.dataset.state === w[n];
	}), want, { timeout, polling: 100 });
}

async function pidOf(page, name) {
	return (await card(page, name).locator('.f-pid').textContent()).trim();
}

function events(page, sel) {
	return page.locator('#timeline .ev' + sel);
}

async function run() {
	const port = await freePort();
	let url;

	await step('demo up on port ' + port, async () => {
		url = await startDemo(port);
	});
	await step('headless Chromium started', async () => {
		userDataDir = fs.mkdtempSync(path.join(os.tmpdir(),
		    'vigil-chromium-'));
		context = await chromium.launchPersistentContext(userDataDir, {
			executablePath: BROWSER,
			headless: true,
			args: ['--headless', '--no-sandbox', '--disable-gpu',
			    '--disable-background-networking',
			    '--disable-component-update', '--disable-sync',
			    '--no-first-run'],
			viewport: { width: 1440, height: 900 }
		});
	});
	const errors = [];
	const page = context.pages()[0] || await context.newPage();
	page.on('pageerror', (e) => errors.push(e.message));

	await step('page shows every plugin healthy (sluggish degraded)',
	    async () => {
		await page.goto(url + '/', { waitUntil: 'load' });
		await waitStates(page, EXPECTED, 15000);
		if (await page.locator('.card').count() !==
		    Object.keys(EXPECTED).length)
			throw new Error('unexpected plugin cards');
		await page.waitForSelector('#banner[data-status="degraded"]',
		    { timeout: 5000 });
		await page.waitForSelector('#liveness[data-ok="true"]',
		    { timeout: 5000 });
		await page.waitForSelector('#readiness[data-ok="true"]',
		    { timeout: 5000 });
		await page.waitForSelector('#demo-mode[data-ok="true"]',
		    { timeout: 5000 });
	});

	await step('API errors are shown (429 with Retry-After)', async () => {
		// A second tab, so the timeline in the screenshot stays real.
		const p2 = await context.newPage();
		await p2.route('**/plugins/simulate?*', (route) => route.fulfill({
			status: 429, contentType: 'application/json',
			headers: { 'Retry-After': '7' },
			body: JSON.stringify({ error: 'Too Many Requests',
			    message: 'rate limit exceeded', code: 429 })
		}));
		await p2.goto(url + '/', { waitUntil: 'load' });
		await card(p2, 'steady').waitFor({ timeout: 10000 });
		await card(p2, 'steady').locator('button[data-action="hang"]')
		    .click();
		await p2.waitForSelector('#notice:not([hidden])',
		    { timeout: 5000 });
		const text = await p2.locator('#notice').textContent();
		if (!/429/.test(text) || !/retry in 7 s/.test(text))
			throw new Error('notice says: ' + text);
		await events(p2, '[data-kind="error"][data-plugin="steady"]')
		    .first().waitFor({ timeout: 5000 });
		await p2.close();
	});

	const pid0 = await pidOf(page, VICTIM);
	let t0;
	await step('crash ' + VICTIM + ' from the page: it goes unhealthy',
	    async () => {
		t0 = Date.now();
		await card(page, VICTIM).locator('button[data-action="crash"]')
		    .click();
		await card(page, VICTIM).locator('.feedback[data-ok="true"]')
		    .waitFor({ timeout: 5000 });
		await events(page, '[data-kind="action"][data-plugin="' +
		    VICTIM + '"]').first().waitFor({ timeout: 5000 });
		await events(page, '[data-kind="state"][data-plugin="' +
		    VICTIM + '"][data-to="unhealthy"]').first()
		    .waitFor({ timeout: 5000 });
	});
	await step(VICTIM + ' is restarted and healthy again within ' +
	    RECOVER_BOUND_MS / 1000 + ' s', async () => {
		await events(page, '[data-kind="restart"][data-plugin="' +
		    VICTIM + '"]').first().waitFor({ timeout: RECOVER_BOUND_MS });
		await waitStates(page, { [VICTIM]: 'healthy' },
		    Math.max(1000, RECOVER_BOUND_MS - (Date.now() - t0)));
		const pid1 = await pidOf(page, VICTIM);
		if (pid1 === pid0 || pid1 === '—')
			throw new Error('pid did not change: ' + pid0 + ' ' + pid1);
		log('#   crash -> healthy in ' + (Date.now() - t0) + ' ms');
	});

	await step('restart button restarts ' + VICTIM, async () => {
		const pid1 = await pidOf(page, VICTIM);
		t0 = Date.now();
		await card(page, VICTIM).locator('button[data-action="restart"]')
		    .click();
		await page.waitForFunction((n) => document.querySelectorAll(
		    '#timeline .ev[data-kind="restart"][data-plugin="' + n +
		    '"]').length >= 2, VICTIM, { timeout: RECOVER_BOUND_MS,
		    polling: 100 });
		await page.waitForFunction(([n, old]) => {
			const c = document.querySelector('.card[data-plugin="' +
			    n + '"]');
			const pid = c.querySelector('.f-pid').textContent;
			return c.dataset.state === 'healthy' && pid !== old &&
			    pid !== '—';
		}, [VICTIM, pid1], { timeout: RECOVER_BOUND_MS, polling: 100 });
		log('#   restart -> healthy in ' + (Date.now() - t0) + ' ms');
	});

	await step('load on antiabuse fills its table: degraded', async () => {
		await card(page, 'antiabuse').locator('select.load-size')
		    .selectOption('20000');
		await card(page, 'antiabuse').locator('button[data-action="load"]')
		    .click();
		await events(page, '[data-kind="state"][data-plugin="antiabuse"]' +
		    '[data-to="degraded"]').first().waitFor({ timeout: 8000 });
	});

	await step('timeline shows the crash, the restarts and the actions',
	    async () => {
		const texts = await page.locator('#timeline .ev[data-plugin="' +
		    VICTIM + '"]').allTextContents();
		const want = [/you: crash/, /you: restart/, /unhealthy/,
		    /restarted/];
		for (const re of want)
			if (!texts.some((t) => re.test(t)))
				throw new Error('timeline lacks ' + re + ': ' +
				    JSON.stringify(texts));
		if (errors.length)
			throw new Error('page errors: ' + errors.join('; '));
	});

	await step('screenshot ' + path.relative(REPO, SHOT), async () => {
		// Let every chart gather a few more points first.
		await sleep(4000);
		await page.screenshot({ path: SHOT, fullPage: true });
	});
}

async function cleanup() {
	if (context)
		await context.close().catch(() => {});
	context = null;
	if (userDataDir)
		fs.rmSync(userDataDir, { recursive: true, force: true });
	userDataDir = null;
	const res = await stopDemo();
	const dir = (demoOut.match(/starting in (\S+)/) || [])[1];
	if (res && res.code !== 0) {
		failed = true;
		log('not ok - demo exited with status ' + res.code +
		    (res.sig ? ' (' + res.sig + ')' : ''));
	}
	if (dir && fs.existsSync(dir)) {
		failed = true;
		log('not ok - demo left ' + dir + ' behind');
	}
}

async function main() {
	const t0 = Date.now();
	for (const sig of ['SIGINT', 'SIGTERM'])
		process.once(sig, () => {
			failed = true;
			cleanup().finally(() => process.exit(130));
		});
	try {
		await run();
	} catch (e) {
		failed = true;
		log('not ok - ' + (e && e.message ? e.message : e));
		log('# demo output:\n' + demoOut.replace(/^/gm, '#   '));
	}
	try {
		const t1 = Date.now();
		await cleanup();
		log('# stopped everything in ' + (Date.now() - t1) + ' ms');
	} catch (e) {
		failed = true;
		log('not ok - cleanup: ' + e.message);
	}
	log('# ' + ((Date.now() - t0) / 1000).toFixed(1) + ' s');
	log('browser: ' + (failed ? '0 passed, 1 failed' : '1 passed, 0 failed'));
	process.exit(failed ? 1 : 0);
}

main();
