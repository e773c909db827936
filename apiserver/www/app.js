/* Vigil dashboard: polls the API, turns snapshots into events, draws charts. */
'use strict';

(function () {
	const POLL_PLUGINS_MS = 500;	/* /plugins/health */
	const POLL_PROBES_MS = 1000;	/* /health, liveness, readiness */
	const FETCH_TIMEOUT_MS = 3000;
	const CHART_WINDOW_MS = 5 * 60 * 1000;
	const TIMELINE_MAX = 300;
	const SLOW_DELAY_MS = 1200;	/* "slow": past the demo's 1 s */
	const NOTICE_MS = 8000;

	/* Kept in step with the --st-* colours in style.css. */
	const STATE_COLOUR = {
		healthy: '#1f883d', degraded: '#bf8700', unhealthy: '#d1242f',
		failed: '#82071e', restarting: '#8250df', starting: '#0969da',
		unknown: '#6e7781', stopped: '#57606a'
	};

	const cards = new Map();	/* plugin name -> card state */
	let token = sessionStorage.getItem('vigil-token') || '';
	let generation = null;		/* supervisor generation last seen */
	let supervisorUp = null;
	let noticeTimer = null;

	const $ = (id) => document.getElementById(id);

	/* --- formatting ------------------------------------------------- */

	function pad(n, w) {
		return String(n).padStart(w || 2, '0');
	}

	function clock(ms, millis) {
		const d = new Date(ms);
		const s = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' +
		    pad(d.getSeconds());
		return millis ? s + '.' + pad(d.getMilliseconds(), 3) : s;
	}

	function micros(us) {
		if (us < 1000)
			return Math.round(us) + ' µs';
		if (us < 10000)
			return (us / 1000).toFixed(1) + ' ms';
		if (us < 1000000)
			return Math.round(us / 1000) + ' ms';
		return (us / 1000000).toFixed(us < 10000000 ? 2 : 1) + ' s';
	}

	function span(ms) {
		const s = Math.max(0, Math.round(ms / 1000));
		if (s < 60)
			return s + ' s';
		if (s < 3600)
			return Math.floor(s / 60) + ' min' +
			    (s % 60 ? ' ' + s % 60 + ' s' : '');
		return Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) +
		    ' min';
	}

	function count(n) {
		n = Number(n);
		return n >= 1000000 ? n / 1000000 + 'M' :
		    n >= 1000 ? n / 1000 + 'k' : String(n);
	}

	/* --- HTTP ----------------------------------------------------------- */

	/* One request; the body is parsed JSON or null. Throws when offline. */
	async function api(method, path) {
		const ctl = new AbortController();
		const timer = setTimeout(() => ctl.abort(), FETCH_TIMEOUT_MS);
		const headers = {};

		if (token)
			headers.Authorization = 'Bearer ' + token;
		try {
			const r = await fetch(path, { method, headers,
			    cache: 'no-store', signal: ctl.signal });
			let body = null;
			try {
				body = await r.json();
			} catch (e) {
				body = null;
			}
			if (r.status === 401)
				$('token-box').hidden = false;
			return { status: r.status, body,
			    retryAfter: r.headers.get('Retry-After') };
		} finally {
			clearTimeout(timer);
		}
	}

	function errorText(r) {
		const b = r.body || {};
		let t = r.status + ' ' + (b.error || 'error') +
		    (b.message ? ': ' + b.message : '');
		if (r.status === 429 && r.retryAfter)
			t += ' (retry in ' + r.retryAfter + ' s)';
		if (r.status === 401)
			t += ' (enter the API token above)';
		return t;
	}

	function notice(text) {
		const n = $('notice');
		n.textContent = text;
		n.hidden = false;
		clearTimeout(noticeTimer);
		noticeTimer = setTimeout(() => { n.hidden = true; }, NOTICE_MS);
	}

	/* --- timeline ------------------------------------------------------- */

	function stateTag(state) {
		const s = document.createElement('span');
		s.className = 'st';
		s.dataset.state = state;
		s.textContent = state;
		return s;
	}

	/*
	 * ev: { kind: state|restart|action|error|info|initial, plugin, from,
	 * to, text, detail }. Newest first; the list is bounded.
	 */
	function addEvent(ev) {
		const li = document.createElement('li');
		const time = document.createElement('time');
		const what = document.createElement('span');

		li.className = 'ev';
		li.dataset.kind = ev.kind;
		if (ev.plugin)
			li.dataset.plugin = ev.plugin;
		if (ev.to)
			li.dataset.to = ev.to;
		if (ev.from)
			li.dataset.from = ev.from;
		time.textContent = clock(Date.now(), true);
		li.append(time);
		if (ev.plugin) {
			const p = document.createElement('span');
			p.className = 'ev-plugin';
			p.textContent = ev.plugin;
			li.append(p);
		}
		what.className = 'ev-text';
		if (ev.kind === 'state') {
			what.append(stateTag(ev.from), ev.via ? ' → … → ' : ' → ',
			    stateTag(ev.to));
		} else if (ev.kind === 'initial') {
			what.append('is ', stateTag(ev.to));
		} else {
			what.textContent = ev.text;
		}
		li.append(what);
		if (ev.detail) {
			const d = document.createElement('span');
			d.className = 'ev-detail';
			d.textContent = ev.detail;
			li.append(d);
		}
		const list = $('timeline');
		list.prepend(li);
		while (list.children.length > TIMELINE_MAX)
			list.lastElementChild.remove();
	}

	/*
	 * Events between two snapshots of one plugin. Polling can miss a state
	 * that lasted less than a poll, so a changed lastStateChangeTime or
	 * totalRestarts also counts, even when the state reads the same.
	 */
	function diffPlugin(prev, p) {
		const evs = [];
		const restarts = p.totalRestarts - prev.totalRestarts;
		const moved = p.lastStateChangeTime !== prev.lastStateChangeTime;

		/* A restart passes through "restarting": if that is not where
		 * the plugin is now, states were skipped between two polls. */
		if (p.status !== prev.status || moved || restarts > 0)
			evs.push({ kind: 'state', plugin: p.name,
			    from: prev.status, to: p.status,
			    via: p.status === prev.status || (restarts > 0 &&
			    p.status !== 'restarting'), detail: p.message });
		if (restarts > 0)
			evs.push({ kind: 'restart', plugin: p.name,
			    text: (restarts > 1 ? 'restarted ' + restarts +
			    ' times' : 'restarted') + ' (total ' +
			    p.totalRestarts + ')',
			    detail: !p.pid ? '' : prev.pid && prev.pid !== p.pid ?
			    'pid ' + prev.pid + ' → ' + p.pid : 'new pid ' + p.pid });
		return evs;
	}

	/* --- plugin cards --------------------------------------------------- */

	function makeCard(name) {
		const frag = $('card-template').content.cloneNode(true);
		const el = frag.querySelector('.card');
		const card = {
			name, el,
			canvas: el.querySelector('canvas'),
			loadSize: el.querySelector('.load-size'),
			feedback: el.querySelector('.feedback'),
			samples: [],
			prev: null,		/* last snapshot of the record */
			checks: null,		/* totalChecks at the last sample */
			failures: null
		};

		el.dataset.plugin = name;
		el.querySelector('.name').textContent = name;
		for (const b of el.querySelectorAll('button.act'))
			b.addEventListener('click', () =>
			    act(card, b.dataset.action, b));
		/* Keep cards sorted by name. */
		const list = $('plugins');
		let before = null;
		for (const c of list.querySelectorAll('.card'))
			if (c.dataset.plugin > name) {
				before = c;
				break;
			}
		list.insertBefore(el, before);
		cards.set(name, card);
		return card;
	}

	function setField(card, cls, text) {
		card.el.querySelector('.' + cls).textContent = text;
	}

	function fillCard(card, p, serverNow) {
		const el = card.el;
		const check = p.lastCheckTime ? Date.parse(p.lastCheckTime) : 0;
		const started = p.startedTime ? Date.parse(p.startedTime) : 0;
		let desc = p.description || '';

		el.dataset.state = p.status;
		el.querySelector('.badge').textContent = p.status;
		if (p.version)
			desc += (desc ? ' · ' : '') + 'v' + p.version;
		if (!p.required)
			desc += ' · optional';
		if (p.nextRestartTime)
			desc += ' · next restart in ' + span(
			    Date.parse(p.nextRestartTime) - serverNow);
		setField(card, 'desc', desc);
		setField(card, 'f-failures', p.consecutiveFailures + ' (' +
		    p.totalFailures + ')');
		setField(card, 'f-restarts', p.restartCount + ' (' +
		    p.totalRestarts + ')');
		setField(card, 'f-checks', String(p.totalChecks));
		setField(card, 'f-pid', p.pid ? String(p.pid) : '—');
		setField(card, 'f-lastcheck', check ?
		    span(serverNow - check) + ' ago' : 'never');
		el.querySelector('.f-lastcheck').title = check ?
		    p.lastCheckTime : '';
		setField(card, 'f-response', p.totalChecks ?
		    micros(p.responseTimeUs) : '—');
		setField(card, 'f-average', p.totalChecks ?
		    micros(p.averageResponseTimeUs) : '—');
		setField(card, 'f-uptime', started && p.pid ?
		    span(serverNow - started) : '—');
		el.querySelector('.f-uptime').title = started ?
		    'started ' + p.startedTime : '';
		setField(card, 'f-message', p.message || '');
		setField(card, 'f-details', p.details || '');
	}

	/* One chart sample per health check (totalChecks moved). */
	function sample(card, p, now) {
		if (card.checks !== null && p.totalChecks !== card.checks)
			card.samples.push({ t: now, us: p.responseTimeUs,
			    state: p.status,
			    failed: p.totalFailures !== card.failures });
		card.checks = p.totalChecks;
		card.failures = p.totalFailures;
		while (card.samples.length &&
		    card.samples[0].t < now - CHART_WINDOW_MS)
			card.samples.shift();
	}

	/* 1, 2 or 5 times a power of ten, at least v. */
	function niceCeil(v) {
		const e = Math.pow(10, Math.floor(Math.log10(v)));
		for (const m of [1, 2, 5, 10])
			if (m * e >= v)
				return m * e;
		return 10 * e;
	}

	function drawChart(card, now, intervalMs) {
		const c = card.canvas;
		const dpr = window.devicePixelRatio || 1;
		const w = c.clientWidth, h = c.clientHeight;
		if (w === 0 || h === 0)
			return;
		if (c.width !== Math.round(w * dpr) ||
		    c.height !== Math.round(h * dpr)) {
			c.width = Math.round(w * dpr);
			c.height = Math.round(h * dpr);
		}
		const g = c.getContext('2d');
		g.setTransform(dpr, 0, 0, dpr, 0, 0);
		g.clearRect(0, 0, w, h);

		/* The window grows with the data, up to CHART_WINDOW_MS. */
		const top = 14, bottom = h - 12;
		const pts = card.samples;
		const win = Math.min(CHART_WINDOW_MS, Math.max(30000,
		    pts.length ? now - pts[0].t + 2000 : 0));
		const max = niceCeil(Math.max(100,
		    ...pts.map((s) => s.us)) * 1.1);
		const x = (t) => (t - (now - win)) / win * w;
		const y = (us) => bottom - us / max * (bottom - top);

		g.font = '10px system-ui, sans-serif';
		g.fillStyle = '#57606a';
		g.strokeStyle = '#d0d7de';
		g.lineWidth = 1;
		g.beginPath();
		g.moveTo(0, top + 0.5);
		g.lineTo(w, top + 0.5);
		g.moveTo(0, bottom + 0.5);
		g.lineTo(w, bottom + 0.5);
		g.stroke();
		g.textBaseline = 'bottom';
		g.fillText('response time · max ' + micros(max), 2, top - 1);
		g.textBaseline = 'top';
		g.fillText('−' + span(win), 2, bottom + 1);
		g.textAlign = 'right';
		g.fillText('now', w - 2, bottom + 1);
		g.textAlign = 'left';
		if (pts.length === 0) {
			g.fillText('waiting for checks…', w / 2 - 45, top + 20);
			return;
		}
		/* A gap where no check happened (the plugin was down). */
		const gap = Math.max(3 * intervalMs, 3000);
		g.strokeStyle = '#8c959f';
		g.lineWidth = 1.5;
		g.beginPath();
		pts.forEach((s, i) => {
			if (i > 0 && s.t - pts[i - 1].t <= gap)
				g.lineTo(x(s.t), y(s.us));
			else
				g.moveTo(x(s.t), y(s.us));
		});
		g.stroke();
		for (const s of pts) {
			g.fillStyle = s.failed ? STATE_COLOUR.unhealthy :
			    STATE_COLOUR[s.state] || STATE_COLOUR.unknown;
			g.beginPath();
			g.arc(x(s.t), s.failed ? top + 3 : y(s.us),
			    s.failed ? 3.5 : 2.5, 0, 2 * Math.PI);
			g.fill();
		}
	}

	/* --- polling -------------------------------------------------------- */

	function setConn(ok, text) {
		const c = $('conn');
		c.dataset.ok = ok ? 'true' : 'false';
		c.textContent = text;
	}

	function supervisorEvents(sup) {
		const gen = sup && sup.generation !== undefined ?
		    sup.generation : null;
		let fresh = false;

		if (sup && supervisorUp !== null && sup.up !== supervisorUp)
			addEvent(sup.up ? { kind: 'info', text: 'supervisor up' } :
			    { kind: 'error', text: 'supervisor down',
			    detail: sup.reason || '' });
		if (gen !== null && generation !== null && gen !== generation) {
			addEvent({ kind: 'info', text: 'new supervisor ' +
			    '(pid ' + sup.pid + '): counters start again' });
			fresh = true;
		}
		if (sup) {
			supervisorUp = sup.up;
			if (gen !== null)
				generation = gen;
		}
		return fresh;
	}

	function updatePlugins(body) {
		const now = Date.now();
		const serverNow = body.timestamp ? Date.parse(body.timestamp) :
		    now;
		const fresh = supervisorEvents(body.supervisor);
		const seen = new Set();

		for (const p of body.plugins) {
			let card = cards.get(p.name);
			seen.add(p.name);
			if (!card) {
				card = makeCard(p.name);
				addEvent({ kind: 'initial', plugin: p.name,
				    to: p.status, detail: p.message });
			} else if (card.prev) {
				if (fresh) {
					card.checks = null;
					if (card.prev.status !== p.status)
						addEvent({ kind: 'state',
						    plugin: p.name,
						    from: card.prev.status,
						    to: p.status });
				} else {
					diffPlugin(card.prev, p).forEach(addEvent);
				}
			}
			card.prev = p;
			fillCard(card, p, serverNow);
			sample(card, p, now);
			drawChart(card, now, (p.checkIntervalUs || 0) / 1000);
		}
		for (const [name, card] of cards)
			if (!seen.has(name)) {
				addEvent({ kind: 'info', plugin: name,
				    text: 'removed' });
				card.el.remove();
				cards.delete(name);
			}
		$('no-plugins').hidden = body.plugins.length !== 0;
		const s = body.summary || {};
		$('summary-counts').textContent = (s.totalPlugins || 0) +
		    ' plugins · ' + (s.healthyPlugins || 0) + ' healthy · ' +
		    (s.degradedPlugins || 0) + ' degraded · ' +
		    (s.unhealthyPlugins || 0) + ' unhealthy · ' +
		    (s.restartingPlugins || 0) + ' restarting · ' +
		    (s.failedPlugins || 0) + ' failed';
		const sup = body.supervisor || {};
		$('supervisor-info').textContent = sup.up ?
		    'supervisor pid ' + sup.pid + ' · heartbeat ' +
		    sup.heartbeatAgeMs + ' ms ago' :
		    'supervisor down: ' + (sup.reason || 'unknown');
	}

	/* Cards keep their last data, greyed, while no state can be read. */
	function setStale(stale) {
		for (const card of cards.values())
			card.el.classList.toggle('stale', stale);
	}

	async function pollPlugins() {
		try {
			const r = await api('GET', '/plugins/health');
			if (r.status === 200 && r.body &&
			    Array.isArray(r.body.plugins)) {
				updatePlugins(r.body);
				/* Heartbeat stale: last known data, greyed. */
				setStale(!(r.body.supervisor &&
				    r.body.supervisor.up));
				setConn(true, 'live · ' + clock(Date.now()));
			} else {
				/* 503: no state at all (no supervisor). */
				const sup = r.body && r.body.supervisor;
				if (sup)
					supervisorEvents(sup);
				setStale(true);
				setConn(false, sup && sup.reason ? sup.reason :
				    errorText(r));
			}
		} catch (e) {
			setStale(true);
			setConn(false, 'API unreachable · ' + clock(Date.now()));
		}
		setTimeout(pollPlugins, POLL_PLUGINS_MS);
	}

	function settled(res) {
		return res.status === 'fulfilled' && res.value.body ?
		    res.value : null;
	}

	function setPill(id, ok, text) {
		const el = $(id);
		el.dataset.ok = ok === null ? 'unknown' : String(ok);
		el.textContent = text;
	}

	function updateProbes(h, l, r) {
		const banner = $('banner');

		if (h) {
			const st = h.body.status || 'unknown';
			const s = h.body.summary || {};
			const usable = (s.healthyPlugins || 0) +
			    (s.degradedPlugins || 0);
			banner.dataset.status = st;
			$('overall').textContent = st + ' (' + h.status + ')';
			$('overall-reason').textContent = h.body.reason ||
			    usable + ' of ' + (s.totalPlugins || 0) +
			    ' plugins usable';
			const demo = h.body.supervisor &&
			    h.body.supervisor.demo;
			setPill('demo-mode', demo ? true : null, demo ?
			    'demo mode on' : 'demo mode off');
		} else {
			banner.dataset.status = 'unknown';
			$('overall').textContent = 'unknown';
			$('overall-reason').textContent = 'API unreachable';
			setPill('demo-mode', null, 'demo mode ?');
		}
		setPill('liveness', l ? l.status === 200 : null,
		    'liveness: ' + (l ? l.body.status : '?'));
		if (r) {
			const nr = r.body.notReady || [];
			setPill('readiness', r.status === 200, 'readiness: ' +
			    r.body.readyPlugins + '/' + r.body.requiredPlugins +
			    (nr.length ? ' (not ready: ' + nr.join(', ') + ')' :
			    ' ready'));
		} else {
			setPill('readiness', null, 'readiness: ?');
		}
	}

	async function pollProbes() {
		const res = await Promise.allSettled([api('GET', '/health'),
		    api('GET', '/health/liveness'),
		    api('GET', '/health/readiness')]);
		updateProbes(settled(res[0]), settled(res[1]),
		    settled(res[2]));
		setTimeout(pollProbes, POLL_PROBES_MS);
	}

	/* --- actions -------------------------------------------------------- */

	function actionPath(card, action) {
		const q = 'plugin=' + encodeURIComponent(card.name);
		if (action === 'restart')
			return '/plugins/restart?' + q;
		if (action === 'load')
			return '/plugins/load?' + q + '&requests=' +
			    encodeURIComponent(card.loadSize.value);
		return '/plugins/simulate?' + q + '&fault=' + action +
		    (action === 'slow' ? '&delay_ms=' + SLOW_DELAY_MS : '');
	}

	function feedback(card, ok, text) {
		card.feedback.dataset.ok = String(ok);
		card.feedback.textContent = clock(Date.now()) + ' ' + text;
	}

	async function act(card, action, button) {
		const label = action === 'load' ?
		    'load ' + count(card.loadSize.value) : action;
		button.disabled = true;
		try {
			const r = await api('POST', actionPath(card, action));
			if (r.status === 202) {
				const msg = r.body && r.body.message || '';
				feedback(card, true, label + ': ' + msg);
				addEvent({ kind: 'action', plugin: card.name,
				    text: 'you: ' + label, detail: msg });
			} else {
				const t = errorText(r);
				feedback(card, false, label + ' refused: ' + t);
				notice(card.name + ': ' + label + ' refused: ' + t);
				addEvent({ kind: 'error', plugin: card.name,
				    text: 'you: ' + label + ' refused',
				    detail: t });
			}
		} catch (e) {
			feedback(card, false, label + ': API unreachable');
			notice(card.name + ': ' + label + ': API unreachable');
		} finally {
			button.disabled = false;
		}
	}

	function setupToken() {
		$('token').value = token;
		if (token)
			$('token-box').hidden = false;
		$('token-box').addEventListener('submit', (e) => {
			e.preventDefault();
			token = $('token').value.trim();
			sessionStorage.setItem('vigil-token', token);
		});
	}

	setupToken();
	pollPlugins();
	pollProbes();
})();
