// The Sluice dashboard: a hash-routed single page on the REST API, signed in with the session cookie.
import { api, get, post, del, setCsrfToken, setUnauthorizedHandler, ApiError } from './api.js';
import { h, s, clear, announce, when, badge, runsChart, total, problemText } from './ui.js';

const view = document.getElementById('view');
const ACTIVE = new Set(['QUEUED', 'RUNNING']);
let stream = null; // the open EventSource, closed on every navigation
let session = null;
let loginOptions = { passwordLogin: true, browserLogins: [] }; // what GET /api/v1/session offered

function closeStream() {
  if (stream) { stream.close(); stream = null; }
}

/** Opens the live events of a run: onProgress(progress), onEnd(detail). */
function follow(runId, onProgress, onEnd) {
  closeStream();
  const es = new EventSource(`/api/v1/runs/${encodeURIComponent(runId)}/events`);
  stream = es;
  es.addEventListener('progress', (e) => onProgress(JSON.parse(e.data)));
  es.addEventListener('end', (e) => { es.close(); if (stream === es) stream = null; onEnd(JSON.parse(e.data)); });
  es.onerror = () => { es.close(); if (stream === es) stream = null; };
}

function page(title, ...content) {
  clear(view);
  const heading = h('h1', { tabindex: '-1', id: 'page-title' }, title);
  view.append(heading, ...content);
  return heading;
}

function failure(e) {
  return h('p', { class: 'error', role: 'alert' }, problemText(e));
}

// ------------------------------------------------------------------ session

async function start() {
  setUnauthorizedHandler(() => showLogin('Your session ended; sign in again.'));
  document.getElementById('login-form').addEventListener('submit', login);
  document.getElementById('logout').addEventListener('click', logout);
  window.addEventListener('hashchange', route);
  try {
    const me = await get('/api/v1/session');
    loginOptions = { passwordLogin: me.passwordLogin !== false, browserLogins: me.browserLogins || [] };
    if (me.authenticated) signedIn(me);
    else showLogin(ssoError());
  } catch (e) {
    showLogin(problemText(e));
  }
}

// Why a browser login ("Sign in with …") came back to #login?error=CODE; the server sends fixed codes.
const SSO_ERRORS = {
  denied: 'The sign-in was cancelled or refused at the identity provider.',
  expired: 'That sign-in link was unknown, already used or expired; start again.',
  browser: 'The sign-in was started in another browser or tab; start again here.',
  unavailable: 'The identity provider cannot be reached; try again later or ask your administrator.',
  provider: 'The identity provider reported an error; try again or ask your administrator.',
  failed: 'The sign-in could not be completed; try again or ask your administrator.',
};

/** The message for a failed browser login in the address (#login?error=CODE), which is then cleared. */
function ssoError() {
  if (!location.hash.startsWith('#login')) return '';
  const code = new URLSearchParams(location.hash.split('?')[1] || '').get('error');
  history.replaceState(null, '', location.pathname + location.search);
  return code ? (SSO_ERRORS[code] || SSO_ERRORS.failed) : '';
}

function showLogin(message, passwordLogin = loginOptions.passwordLogin, browserLogins = loginOptions.browserLogins) {
  closeStream();
  session = null;
  setCsrfToken(null);
  clear(view);
  document.getElementById('nav').hidden = true;
  document.getElementById('user').hidden = true;
  document.getElementById('login').hidden = false;
  document.getElementById('login-form').hidden = !passwordLogin;
  document.getElementById('login-unavailable').hidden = passwordLogin || browserLogins.length > 0;
  document.getElementById('login-error').textContent = passwordLogin ? (message || '') : '';
  const sso = document.getElementById('login-sso');
  const list = document.getElementById('login-sso-list');
  clear(list);
  for (const l of browserLogins) {
    // A plain link: the browser leaves for the identity provider and comes back signed in.
    list.append(h('li', {}, h('a', { class: passwordLogin ? 'button secondary' : 'button', href: l.href },
      `Sign in with ${l.label}`)));
  }
  sso.hidden = browserLogins.length === 0;
  document.getElementById('login-sso-error').textContent = passwordLogin ? '' : (message || '');
  if (passwordLogin) document.getElementById('login-user').focus();
  else if (browserLogins.length > 0) list.querySelector('a').focus();
}

async function login(event) {
  event.preventDefault();
  const form = event.target;
  const error = document.getElementById('login-error');
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) { error.textContent = 'Enter your username and password.'; return; }
  const button = document.getElementById('login-submit');
  button.disabled = true;
  try {
    const me = await post('/api/v1/session', { username, password });
    form.password.value = '';
    signedIn(me);
  } catch (e) {
    error.textContent = e instanceof ApiError && e.status === 401
      ? 'The username or password is wrong.' : problemText(e);
  } finally {
    button.disabled = false;
  }
}

function signedIn(me) {
  session = me;
  setCsrfToken(me.csrfToken);
  document.getElementById('login').hidden = true;
  document.getElementById('nav').hidden = false;
  document.getElementById('user').hidden = false;
  document.getElementById('user-name').textContent = `${me.principal.name} (${me.principal.roles.join(', ')})`;
  if (!location.hash || location.hash === '#' || location.hash === '#/' || location.hash.startsWith('#login')) {
    location.hash = '#/pipelines';
  }
  else route();
}

async function logout() {
  try { await del('/api/v1/session'); } catch (e) { /* signed out anyway */ }
  showLogin('You are signed out.');
}

// ------------------------------------------------------------------ routing

function parseHash() {
  const raw = (location.hash || '#/pipelines').slice(1);
  const [path, query] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(query || '') };
}

async function route() {
  if (!session) return;
  closeStream();
  const { parts, params } = parseHash();
  const name = parts[0] || 'pipelines';
  document.querySelectorAll('[data-nav]').forEach((a) => {
    if (a.dataset.nav === name || (name === 'runs' && a.dataset.nav === 'pipelines')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  let heading;
  try {
    switch (name) {
      case 'runs': heading = await runPage(parts[1]); break;
      case 'flow': heading = await flowPage(parts[1]); break;
      case 'dead-letters': heading = await deadLettersPage(params); break;
      case 'config': heading = await configPage(); break;
      case 'tester': heading = await testerPage(parts[1]); break;
      default: heading = await pipelinesPage();
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    heading = page('Something went wrong', failure(e));
  }
  if (heading) heading.focus({ preventScroll: true });
  document.body.dataset.page = name;
  document.body.dataset.ready = String(Date.now());
}

async function pipelineNames() {
  const list = await get('/api/v1/pipelines');
  return list.items.filter((p) => p.defined).map((p) => p.name);
}

// ------------------------------------------------------------------ pipelines

async function pipelinesPage() {
  const list = await get('/api/v1/pipelines');
  const cards = h('div', { class: 'cards' });
  const heading = page('Pipelines', cards);
  const details = await Promise.all(list.items.map(async (p) => {
    const [def, runs, schedule] = await Promise.all([
      get(`/api/v1/pipelines/${encodeURIComponent(p.name)}`),
      get(`/api/v1/runs?pipeline=${encodeURIComponent(p.name)}&limit=20`),
      p.defined ? get(`/api/v1/pipelines/${encodeURIComponent(p.name)}/schedule`) : null]);
    return { p, def, runs: runs.items, schedule };
  }));
  for (const { p, def, runs, schedule } of details) cards.append(pipelineCard(p, def, runs, schedule));
  if (!list.items.length) cards.append(h('p', { class: 'muted' }, 'No pipelines yet.'));
  return heading;
}

function nextRunText(schedule) {
  if (!schedule) return 'not running on this instance';
  const others = schedule.triggers.filter((t) => t.type !== 'cron').map((t) => t.description);
  const parts = [];
  if (schedule.nextRun) {
    const cron = schedule.triggers.filter((t) => t.type === 'cron').map((t) => t.description).join(', ');
    parts.push(`${when(schedule.nextRun)} (${cron})`);
  }
  parts.push(...others);
  return parts.length ? parts.join('; ') : 'on demand (API)';
}

function pipelineCard(p, def, runs, schedule) {
  const last = p.lastRun;
  const runButton = h('button', { type: 'button', 'data-run': p.name, disabled: !p.defined }, 'Run now');
  runButton.addEventListener('click', async () => {
    runButton.disabled = true;
    try {
      const run = await post(`/api/v1/pipelines/${encodeURIComponent(p.name)}/runs`, {});
      announce(`Run of ${p.name} started`);
      location.hash = `#/runs/${encodeURIComponent(run.id)}`;
    } catch (e) {
      runButton.disabled = false;
      runButton.after(failure(e));
    }
  });
  const recent = runs.length
    ? runsChart(runs, `Records per run of ${p.name}, last ${runs.length} runs`)
    : h('p', { class: 'muted' }, 'No runs yet.');
  return h('article', { class: 'card', 'data-pipeline': p.name },
    h('h2', {}, p.name, ' ', badge(last && last.status)),
    def.definition && def.definition.description ? h('p', { class: 'muted' }, def.definition.description) : null,
    h('dl', {},
      h('dt', {}, 'Last run'),
      h('dd', {}, last ? h('a', { href: `#/runs/${encodeURIComponent(last.id)}` }, when(last.startedAt)) : '—'),
      h('dt', {}, 'Next run'),
      h('dd', { 'data-next-run': schedule && schedule.nextRun ? schedule.nextRun : '' }, nextRunText(schedule)),
      h('dt', {}, 'Last result'),
      h('dd', {}, last ? `${last.recordsRead} read, ${last.recordsDelivered} delivered, ${last.recordsDeadLettered} dead-lettered` : '—')),
    recent,
    h('div', { class: 'actions' },
      runButton,
      h('a', { class: 'button secondary', href: `#/flow/${encodeURIComponent(p.name)}` }, 'Data flow'),
      h('a', { class: 'button secondary', href: `#/dead-letters?pipeline=${encodeURIComponent(p.name)}` }, 'Dead letters')));
}

// ------------------------------------------------------------------ run detail

function counterTables(run) {
  const c = run.counters || {};
  const rules = Object.entries(c.ruleMatches || {});
  const dests = Object.entries(c.destinations || {});
  return [
    h('h2', {}, 'Rules'),
    rules.length ? h('div', { class: 'table-wrap' }, h('table', { 'data-table': 'rules' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Rule'), h('th', { scope: 'col', class: 'num' }, 'Matched'))),
      h('tbody', {}, rules.map(([name, n]) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', { class: 'num', 'data-rule': name }, n))))))
      : h('p', { class: 'muted' }, 'Per-rule counts appear when the run ends.'),
    h('h2', {}, 'Destinations'),
    dests.length ? h('div', { class: 'table-wrap' }, h('table', { 'data-table': 'destinations' },
      h('thead', {}, h('tr', {}, ['Destination', 'Delivered', 'Dead-lettered', 'Batches', 'Retries']
        .map((t, i) => h('th', { scope: 'col', class: i ? 'num' : null }, t)))),
      h('tbody', {}, dests.map(([name, d]) => h('tr', {},
        h('th', { scope: 'row' }, name),
        h('td', { class: 'num', 'data-dest-delivered': name }, d.delivered),
        h('td', { class: 'num', 'data-dest-dead': name }, d.deadLettered),
        h('td', { class: 'num' }, d.batches),
        h('td', { class: 'num' }, d.retries))))))
      : h('p', { class: 'muted' }, 'Per-destination counts appear when the run ends.'),
  ];
}

function runTotals(r, progress) {
  const p = progress || {};
  const read = p.recordsRead ?? r.recordsRead;
  const delivered = p.delivered ?? r.recordsDelivered;
  const dead = p.deadLettered ?? r.recordsDeadLettered;
  return h('div', { class: 'totals', id: 'run-totals' },
    total('read', read, { key: 'read' }),
    total('delivered', delivered, { key: 'delivered' }),
    total('dead-lettered', dead, { key: 'dead', bad: dead > 0 }));
}

async function runPage(id) {
  const run = await get(`/api/v1/runs/${encodeURIComponent(id)}`);
  const status = h('span', { id: 'run-status' }, badge(run.status));
  const meter = h('progress', { id: 'run-progress', 'aria-label': 'Run progress' });
  const body = h('div', {});
  const finished = h('span', {});
  const heading = page(`Run of ${run.pipeline}`,
    h('p', {}, 'Status: ', status, ' · started ', when(run.startedAt), finished, ' · trigger ', run.trigger || '—'),
    h('p', { class: 'muted' }, 'Run ', h('code', {}, run.id)),
    body,
    h('div', { class: 'actions' },
      h('a', { class: 'button secondary', href: `#/flow/${encodeURIComponent(run.pipeline)}` }, 'Data flow'),
      h('a', { class: 'button secondary', href: `#/dead-letters?pipeline=${encodeURIComponent(run.pipeline)}` }, 'Dead letters')));
  const render = (r, progress) => {
    clear(status).append(badge(r.status));
    finished.textContent = r.finishedAt ? ` · finished ${when(r.finishedAt)}` : '';
    clear(body).append(ACTIVE.has(r.status) ? meter : '', runTotals(r, progress),
      r.error ? h('p', { class: 'error' }, r.error) : '', ...counterTables(r));
  };
  render(run, run.progress);
  if (ACTIVE.has(run.status)) {
    const cancel = h('button', { type: 'button', class: 'danger', id: 'cancel-run' }, 'Cancel run');
    cancel.addEventListener('click', async () => {
      cancel.disabled = true;
      try { await post(`/api/v1/runs/${encodeURIComponent(id)}/cancel`); announce('Cancel requested'); }
      catch (e) { cancel.after(failure(e)); }
    });
    view.querySelector('.actions').prepend(cancel);
    follow(id, (p) => { run.status = p.status; render(run, p); },
      (end) => { cancel.remove(); render(end); announce(`Run ${end.status.toLowerCase()}`); document.body.dataset.runEnded = end.id; });
  } else {
    document.body.dataset.runEnded = run.id;
  }
  return heading;
}

// ------------------------------------------------------------------ data flow

const NODE_W = 220, NODE_H = 58, GAP = 78, COLS = [20, 320, 620];

function node(kind, x, y, title, lines, bad) {
  return s('g', { class: `node ${kind}${bad ? ' bad' : ''}`, transform: `translate(${x},${y})` },
    s('rect', { width: NODE_W, height: NODE_H, rx: 8 }),
    s('text', { x: 12, y: 22 }, title),
    s('text', { x: 12, y: 44, class: 'count' }, lines));
}

function edge(x1, y1, x2, y2, active) {
  const mx = (x1 + x2) / 2;
  return s('path', { class: `edge${active ? ' active' : ''}`, d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`,
    'marker-end': 'url(#arrow)' });
}

function flowGraph(def, run) {
  const c = (run && run.counters) || {};
  const matches = c.ruleMatches || {};
  const dests = c.destinations || {};
  const rules = def.rules.map((r) => ({ name: r.name, to: r.to, when: r.when }));
  if (def.otherwise && def.otherwise.length) rules.push({ name: 'otherwise', to: def.otherwise, when: 'no rule matched' });
  const destinations = def.destinations;
  const rows = Math.max(rules.length, destinations.length, 1);
  const height = rows * GAP + 20;
  const y = (i, n) => 10 + ((rows - n) * GAP) / 2 + i * GAP;
  const svg = s('svg', { class: 'flow', viewBox: `0 0 ${COLS[2] + NODE_W + 20} ${height}`, role: 'img',
    'aria-labelledby': 'flow-title', id: 'flow-graph' },
  s('title', { id: 'flow-title' }, `Data flow of ${def.name}: ${def.source} source, ${rules.length} rules, ${destinations.length} destinations`),
  s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' },
    s('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#9aa8ba' }))));
  const read = run ? (run.progress ? run.progress.recordsRead : run.recordsRead) : 0;
  const sourceY = y(0, 1);
  const sourceBad = (c.routingErrors || 0) + (c.recordsRejected || 0) > 0;
  const destIndex = new Map(destinations.map((d, i) => [d, i]));
  rules.forEach((r, i) => {
    const ry = y(i, rules.length);
    svg.append(edge(COLS[0] + NODE_W, sourceY + NODE_H / 2, COLS[1], ry + NODE_H / 2, (matches[r.name] || 0) > 0));
    r.to.forEach((d) => {
      if (!destIndex.has(d)) return;
      const dy = y(destIndex.get(d), destinations.length);
      svg.append(edge(COLS[1] + NODE_W, ry + NODE_H / 2, COLS[2], dy + NODE_H / 2, (matches[r.name] || 0) > 0));
    });
  });
  svg.append(node('source', COLS[0], sourceY, `source: ${def.source}`,
    [s('tspan', { 'data-flow': 'source-read' }, read), ' read',
      sourceBad ? [' · ', s('tspan', { 'data-flow': 'source-errors' }, (c.routingErrors || 0) + (c.recordsRejected || 0)), ' errors'] : '']
      .flat(), sourceBad));
  rules.forEach((r, i) => {
    svg.append(node('rule', COLS[1], y(i, rules.length), `rule: ${r.name}`,
      [s('tspan', { 'data-flow': `rule:${r.name}` }, matches[r.name] ?? (run ? 0 : '–')), ' matched'], false));
  });
  destinations.forEach((d, i) => {
    const st = dests[d] || { delivered: 0, deadLettered: 0 };
    const bad = st.deadLettered > 0 || (st.undelivered || 0) > 0;
    svg.append(node('dest', COLS[2], y(i, destinations.length), d,
      [s('tspan', { 'data-flow': `dest-delivered:${d}` }, st.delivered), ' delivered · ',
        s('tspan', { 'data-flow': `dest-dead:${d}` }, st.deadLettered), ' dead'], bad));
  });
  return svg;
}

async function flowPage(name) {
  const names = await pipelineNames();
  if (!name) {
    if (names.length) { location.replace(`#/flow/${encodeURIComponent(names[0])}`); return null; }
    return page('Data flow', h('p', { class: 'muted' }, 'No pipelines yet.'));
  }
  const pipeline = await get(`/api/v1/pipelines/${encodeURIComponent(name)}`);
  if (!pipeline.definition) {
    return page(`Data flow of ${name}`, h('p', { class: 'muted' }, 'This pipeline is stored but not running on this instance.'));
  }
  const def = { name, ...pipeline.definition };
  const latest = (await get(`/api/v1/runs?pipeline=${encodeURIComponent(name)}&limit=1`)).items[0];
  let run = latest ? await get(`/api/v1/runs/${encodeURIComponent(latest.id)}`) : null;
  const select = h('select', { id: 'flow-pipeline' }, names.map((n) => h('option', { value: n, selected: n === name }, n)));
  select.addEventListener('change', () => { location.hash = `#/flow/${encodeURIComponent(select.value)}`; });
  const holder = h('div', { id: 'flow-holder' });
  const caption = h('p', { id: 'flow-caption' });
  const heading = page(`Data flow of ${name}`,
    h('div', { class: 'filters' }, h('div', {}, h('label', { for: 'flow-pipeline' }, 'Pipeline'), select)),
    caption, holder, connectionTests(def));
  const render = () => {
    clear(caption).append(...(run
      ? ['Counts of the ', h('a', { href: `#/runs/${encodeURIComponent(run.id)}` }, 'latest run'), ' ', badge(run.status),
        ' started ', when(run.startedAt), ACTIVE.has(run.status) ? ' (live)' : '',
        '. Red: a destination with dead letters (or a source with errors).']
      : ['No run yet: the graph shows the routes.']));
    clear(holder).append(h('div', { class: 'flow-scroll', tabindex: '0', role: 'region', 'aria-label': 'Data-flow graph (scrolls sideways on small screens)' },
      flowGraph(def, run)));
    if (run) holder.append(runTotals(run, run.progress));
  };
  render();
  if (run && ACTIVE.has(run.status)) {
    follow(run.id, (p) => { run = { ...run, status: p.status, progress: p }; render(); },
      (end) => { run = end; render(); announce(`Run ${end.status.toLowerCase()}`); });
  }
  return heading;
}

/** "Test connection" for the pipeline's source and each destination (operators and admins). */
function connectionTests(def) {
  const row = (label, type, path, id) => {
    const result = h('td', { 'data-test-result': id, role: 'status' }, '—');
    const typeCell = h('td', {}, type || '—');
    const button = h('button', { type: 'button', class: 'secondary', 'data-test': id }, 'Test connection');
    button.addEventListener('click', async () => {
      button.disabled = true;
      clear(result).append('Testing…');
      try {
        const r = await post(path);
        clear(typeCell).append(r.type);
        // badge colours by run status: ok like a succeeded run, failed like a failed one
        const look = { ok: 'SUCCEEDED', failed: 'FAILED', unsupported: 'SKIPPED' }[r.status] || '';
        clear(result).append(h('span', { class: `badge ${look}` }, r.status), ' ', r.message, ` (${r.tookMillis} ms)`);
        announce(`${label}: ${r.status}`);
      } catch (e) {
        clear(result).append(failure(e));
      } finally {
        button.disabled = false;
      }
    });
    return h('tr', {}, h('th', { scope: 'row' }, label), typeCell, h('td', {}, button), result);
  };
  const rows = [row(`Source of ${def.name}`, def.source, `/api/v1/pipelines/${encodeURIComponent(def.name)}/source/test`,
    'source')];
  def.destinations.forEach((d) => rows.push(row(d, '', `/api/v1/destinations/${encodeURIComponent(d)}/test`, `destination-${d}`)));
  return h('section', { 'aria-labelledby': 'connections-title' },
    h('h2', { id: 'connections-title' }, 'Connections'),
    h('p', { class: 'muted' }, 'Checks that each system can be reached with its configuration; nothing is read or delivered.'),
    h('div', { class: 'table-wrap' }, h('table', { 'data-table': 'connections' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Where'), h('th', { scope: 'col' }, 'Type'),
        h('th', { scope: 'col' }, 'Action'), h('th', { scope: 'col' }, 'Result'))),
      h('tbody', {}, rows))));
}

// ------------------------------------------------------------------ dead letters

async function deadLettersPage(params) {
  const pipeline = params.get('pipeline') || '';
  const destination = params.get('destination') || '';
  const names = await pipelineNames();
  const query = new URLSearchParams({ limit: '100' });
  if (pipeline) query.set('pipeline', pipeline);
  if (destination) query.set('destination', destination);
  const list = await get(`/api/v1/dead-letters?${query}`);
  const message = h('p', { id: 'dl-message', role: 'status' });

  const pipelineSelect = h('select', { id: 'dl-pipeline', name: 'pipeline' },
    h('option', { value: '' }, 'All pipelines'), names.map((n) => h('option', { value: n, selected: n === pipeline }, n)));
  const destinationInput = h('input', { id: 'dl-destination', name: 'destination', value: destination });
  const filters = h('form', { class: 'filters', id: 'dl-filters' },
    h('div', {}, h('label', { for: 'dl-pipeline' }, 'Pipeline'), pipelineSelect),
    h('div', {}, h('label', { for: 'dl-destination' }, 'Destination'), destinationInput),
    h('button', { type: 'submit' }, 'Filter'));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if (pipelineSelect.value) q.set('pipeline', pipelineSelect.value);
    if (destinationInput.value.trim()) q.set('destination', destinationInput.value.trim());
    location.hash = `#/dead-letters${q.toString() ? `?${q}` : ''}`;
  });

  const selection = pipeline || destination
    ? { ...(pipeline ? { pipeline } : {}), ...(destination ? { destination } : {}) } : { all: true };
  const replayAll = h('button', { type: 'button', id: 'dl-replay-all', disabled: !list.items.length }, 'Replay all shown');
  replayAll.addEventListener('click', async () => {
    replayAll.disabled = true;
    try { const r = await post('/api/v1/dead-letters/replay', selection); await after(replayText(r)); }
    catch (e) { message.textContent = problemText(e); replayAll.disabled = false; }
  });
  const purgeAll = confirmButton('Purge all shown', 'Confirm: purge all shown', 'dl-purge-all', async () => {
    const r = await post('/api/v1/dead-letters/purge', selection);
    await after(`${r.purged} dead letter(s) purged.`);
  }, message);
  purgeAll.disabled = !list.items.length;

  async function after(text) {
    await route();
    const m = document.getElementById('dl-message');
    if (m) m.textContent = text;
    announce(text);
  }

  const rows = list.items.map((d) => {
    const replay = h('button', { type: 'button', 'data-replay': d.id, 'aria-label': `Replay dead letter ${d.id}` }, 'Replay');
    replay.addEventListener('click', async () => {
      replay.disabled = true;
      try { const r = await post(`/api/v1/dead-letters/${d.id}/replay`); await after(replayText(r)); }
      catch (e) { message.textContent = problemText(e); replay.disabled = false; }
    });
    const purge = confirmButton('Purge', 'Confirm purge', null, async () => {
      await del(`/api/v1/dead-letters/${d.id}`);
      await after(`Dead letter ${d.id} purged.`);
    }, message);
    purge.setAttribute('data-purge', d.id);
    const details = h('details', {}, h('summary', {}, d.recordKey));
    details.addEventListener('toggle', async () => {
      if (!details.open || details.dataset.loaded) return;
      details.dataset.loaded = 'true';
      try {
        const full = await get(`/api/v1/dead-letters/${d.id}`);
        details.append(h('pre', { class: 'trace' }, JSON.stringify(full.record, null, 2)));
      } catch (e) { details.append(failure(e)); }
    });
    return h('tr', { 'data-dead-letter': d.id },
      h('td', {}, d.id), h('td', {}, d.pipeline), h('td', {}, d.destination), h('td', {}, details),
      h('td', { class: 'wrap' }, d.reason), h('td', { class: 'num' }, d.attempts), h('td', {}, when(d.lastFailedAt)),
      h('td', {}, h('div', { class: 'actions' }, replay, purge)));
  });
  return page('Dead letters', filters,
    h('p', {}, h('span', { id: 'dl-total' }, list.total), ' dead letter(s) match.'),
    h('div', { class: 'actions' }, replayAll, purgeAll), message,
    list.items.length ? h('div', { class: 'table-wrap' }, h('table', { id: 'dl-table' },
      h('caption', { class: 'sr-only' }, 'Dead letters'),
      h('thead', {}, h('tr', {}, ['ID', 'Pipeline', 'Destination', 'Record', 'Reason', 'Attempts', 'Last failed', 'Actions']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows))) : h('p', { class: 'muted', id: 'dl-empty' }, 'No dead letters. Nothing was lost.'));
}

function replayText(r) {
  return `Replayed ${r.selected}: ${r.delivered} delivered, ${r.failedAgain} failed again, ${r.skipped} skipped.`
    + (r.problems.length ? ` ${r.problems.join(' ')}` : '');
}

/** A button that asks once more before doing something destructive. */
function confirmButton(label, confirmLabel, id, action, message) {
  const b = h('button', { type: 'button', class: 'secondary', id });
  b.textContent = label;
  let armed = false;
  b.addEventListener('click', async () => {
    if (!armed) { armed = true; b.textContent = confirmLabel; b.classList.replace('secondary', 'danger'); return; }
    b.disabled = true;
    try { await action(); } catch (e) { message.textContent = problemText(e); b.disabled = false; }
  });
  b.addEventListener('blur', () => {
    if (armed && !b.disabled) { armed = false; b.textContent = label; b.classList.replace('danger', 'secondary'); }
  });
  return b;
}

// ------------------------------------------------------------------ configuration editor

const SAMPLE = `destinations:
  out: { type: log }
pipelines:
  example:
    source: { type: file, path: data/in.jsonl }
    rules:
      - name: everything
        to: [ out ]
`;

let draft = null; // the editor's text survives navigation within the page's life

async function configPage() {
  const text = h('textarea', { id: 'config-text', spellcheck: 'false', 'aria-describedby': 'config-result',
    autocapitalize: 'off', wrap: 'off' });
  text.value = draft ?? SAMPLE;
  const gutter = h('pre', { 'aria-hidden': 'true', id: 'config-gutter' });
  const result = h('div', { id: 'config-result', 'aria-live': 'polite' });
  const validate = h('button', { type: 'button', id: 'config-validate' }, 'Validate');
  let timer = null;
  let seq = 0;
  const marks = new Map();
  const paintGutter = () => {
    const lines = text.value.split('\n').length;
    clear(gutter);
    for (let i = 1; i <= lines; i++) {
      gutter.append(h('span', { class: marks.has(i) ? 'bad' : null, title: marks.get(i), 'data-line': i }, i));
    }
    gutter.scrollTop = text.scrollTop;
  };
  const check = async () => {
    const mine = ++seq;
    draft = text.value;
    try {
      const v = await api('POST', '/api/v1/config/validate', text.value || '\n', 'application/yaml');
      if (mine !== seq) return;
      marks.clear();
      v.problems.forEach((p) => { if (p.line > 0) marks.set(p.line, p.message); });
      text.setAttribute('aria-invalid', String(!v.valid));
      clear(result).append(...(v.valid
        ? [h('p', { class: 'ok-text', id: 'config-valid' }, 'The configuration is valid.')]
        : [h('p', { class: 'error' }, `${v.problems.length} problem(s):`),
          h('ul', { class: 'problems', id: 'config-problems' }, v.problems.map((p) => {
            const b = h('button', { type: 'button', 'data-line': p.line }, `Line ${p.line}, column ${p.column}: ${p.pointer ? `${p.pointer}: ` : ''}${p.message}`);
            b.addEventListener('click', () => goToLine(text, p.line));
            return h('li', {}, b);
          }))]));
      paintGutter();
    } catch (e) {
      if (mine === seq) clear(result).append(failure(e));
    }
  };
  text.addEventListener('input', () => { paintGutter(); clearTimeout(timer); timer = setTimeout(check, 400); });
  text.addEventListener('scroll', () => { gutter.scrollTop = text.scrollTop; });
  validate.addEventListener('click', check);
  const heading = page('Configuration',
    h('p', { class: 'muted' }, 'Edit a Sluice configuration file; it is checked against the schema and the installed plugins as you type (nothing is saved).'),
    h('label', { for: 'config-text' }, 'Configuration (YAML)'),
    h('div', { class: 'editor' }, gutter, text),
    h('div', { class: 'actions' }, validate), result);
  paintGutter();
  check();
  return heading;
}

function goToLine(textarea, line) {
  const lines = textarea.value.split('\n');
  const startIndex = lines.slice(0, Math.max(line - 1, 0)).reduce((n, l) => n + l.length + 1, 0);
  textarea.focus();
  textarea.setSelectionRange(startIndex, startIndex + (lines[line - 1] || '').length);
  const lineHeight = 21;
  textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

// ------------------------------------------------------------------ rule tester

async function testerPage(name) {
  const names = await pipelineNames();
  const select = h('select', { id: 'tester-pipeline' }, names.map((n) => h('option', { value: n, selected: n === name }, n)));
  const records = h('textarea', { id: 'tester-records', class: 'records', spellcheck: 'false' });
  records.value = '{"id": "a1", "amount": 250}\n{"id": "a2", "amount": 20}';
  const keyField = h('input', { id: 'tester-key', placeholder: 'e.g. id' });
  const run = h('button', { type: 'button', id: 'tester-run' }, 'Test rules');
  const out = h('div', { id: 'tester-result', 'aria-live': 'polite' });
  run.addEventListener('click', async () => {
    clear(out);
    let parsed;
    try {
      const t = records.value.trim();
      parsed = t.startsWith('[') ? JSON.parse(t) : t.split('\n').filter((l) => l.trim()).map((l, i) => {
        try { return JSON.parse(l); } catch (e) { throw new Error(`line ${i + 1}: ${e.message}`); }
      });
    } catch (e) {
      out.append(h('p', { class: 'error', role: 'alert' }, `The records are not JSON: ${e.message}`));
      return;
    }
    try {
      const body = { records: parsed };
      if (keyField.value.trim()) body.keyField = keyField.value.trim();
      const r = await post(`/api/v1/pipelines/${encodeURIComponent(select.value)}/preview`, body);
      out.append(...r.traces.map((t) => h('section', { class: 'card', 'data-trace': t.key },
        h('h2', {}, t.key, ' ', h('span', { class: 'badge' }, t.outcome.toLowerCase())),
        h('pre', { class: 'trace' }, t.text))));
    } catch (e) { out.append(failure(e)); }
  });
  return page('Rule tester',
    h('p', { class: 'muted' }, 'Paste records (a JSON array or one JSON object per line) and see which rules match and where they would go. Nothing is delivered.'),
    h('div', { class: 'filters' },
      h('div', {}, h('label', { for: 'tester-pipeline' }, 'Pipeline'), select),
      h('div', {}, h('label', { for: 'tester-key' }, 'Key field (optional)'), keyField)),
    h('label', { for: 'tester-records' }, 'Records'), records,
    h('div', { class: 'actions' }, run), out);
}

start();
