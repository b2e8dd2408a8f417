// opendental-server.mjs: an Open Dental API test server on loopback.
//
//   node opendental-server.mjs PORT [--developer-key K] [--customer-key K]
//
// Prints "listening PORT" (the real port when PORT is 0) once it accepts
// connections.  It implements the endpoints Orthoplan uses, under /api/v1,
// and checks them the way the real API does where it matters to us:
//   GET  /patients/Simple?LName=&FName=&Birthdate=yyyy-mm-dd&ChartNumber=
//   GET  /providers
//   POST /procedurelogs   201 with a ProcNum; 400 with a reason for a bad
//                         field, an unknown procCode, a PatNum or ProvNum
//                         that does not exist, or any ProcStatus but "TP"
//   GET  /procedurelogs?PatNum=
//   POST /treatplans      201 with a TreatPlanNum (an Inactive plan, as Open
//                         Dental makes them); 400 for a PatNum that does not
//                         exist, a Heading or Note that is not text, or a
//                         TPType other than Insurance or Discount
//   GET  /treatplans?PatNum=
//   POST /treatplanattaches  201 with a TreatPlanAttachNum; 400 unless
//                         TreatPlanNum and ProcNum exist and belong to the
//                         same patient, or for a Priority that is not a
//                         number; 404 for a TreatPlanNum that does not exist
//   GET  /treatplanattaches?TreatPlanNum=
// Nothing here refuses a second identical plan or attach, as nothing in
// Open Dental does: a client that posts twice is seen posting twice.
// Every API request must carry "Authorization: ODFHIR {dev}/{cust}" with the
// keys given on the command line (401 with a reason otherwise).
//
// Test administration, without auth, under /__admin:
//   POST /__admin/seed     {patients:[...], providers:[...], codes:[...]}
//   POST /__admin/faults   {rate, seed, kinds, slowMs} (see faults.mjs)
//   GET  /__admin/procedurelogs   every stored procedure
//   GET  /__admin/treatplans      {treatplans, treatplanattaches}
//   GET  /__admin/stats           requests and faults injected
import http from 'node:http';

import { Faults, readBody, withFault } from './faults.mjs';

const args = process.argv.slice(2);
const port = Number(args[0] ?? 0);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const devKey = opt('--developer-key', 'dev-key');
const custKey = opt('--customer-key', 'cust-key');

const state = {
  patients: [],
  providers: [],
  codes: new Set(['D8010', 'D8020', 'D8030', 'D8040', 'D8070', 'D8080', 'D8090', 'D8660', 'D8670', 'D8680']),
  procedurelogs: [],
  nextProcNum: 1000,
  treatplans: [],
  nextTreatPlanNum: 500,
  treatplanattaches: [],
  nextTreatPlanAttachNum: 7000,
};
const faults = new Faults();

function json (res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const isDate = (s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s));
const isInt = (v) => Number.isInteger(v) && v > 0;

function findPatients (q) {
  const l = (q.get('LName') ?? '').toLowerCase();
  const f = (q.get('FName') ?? '').toLowerCase();
  const dob = q.get('Birthdate') ?? '';
  const chart = q.get('ChartNumber') ?? '';
  if (dob && !isDate(dob)) return [400, { message: `Birthdate is invalid: ${dob}` }];
  const out = state.patients.filter((p) =>
    p.LName.toLowerCase().startsWith(l) && p.FName.toLowerCase().startsWith(f) &&
    (!dob || p.Birthdate === dob) && (!chart || p.ChartNumber === chart));
  return [200, out];
}

function postProcedure (body) {
  let b;
  try {
    b = JSON.parse(body);
  } catch {
    return [400, { message: 'The body is not valid JSON' }];
  }
  if (!isInt(b.PatNum)) return [400, { message: 'PatNum is required and must be a number' }];
  if (!state.patients.some((p) => p.PatNum === b.PatNum)) return [400, { message: `PatNum ${b.PatNum} is invalid: no such patient` }];
  if (!isDate(b.ProcDate)) return [400, { message: `ProcDate is invalid: ${b.ProcDate}` }];
  if (b.ProcStatus !== 'TP') return [400, { message: `ProcStatus must be TP for a posted plan, got ${b.ProcStatus}` }];
  if (typeof b.procCode !== 'string' || !state.codes.has(b.procCode)) return [400, { message: `procCode not found: ${b.procCode}` }];
  if (!isInt(b.ProvNum) || !state.providers.some((p) => p.ProvNum === b.ProvNum)) return [400, { message: `ProvNum ${b.ProvNum} is invalid` }];
  if (typeof b.ProcFee !== 'number' || b.ProcFee < 0) return [400, { message: 'ProcFee must be a number of 0 or more' }];
  if (b.ClinicNum !== undefined && !isInt(b.ClinicNum)) return [400, { message: 'ClinicNum is invalid' }];
  const proc = {
    ProcNum: state.nextProcNum++,
    PatNum: b.PatNum,
    ProcDate: b.ProcDate,
    ProcStatus: b.ProcStatus,
    procCode: b.procCode,
    ProcFee: b.ProcFee,
    ProvNum: b.ProvNum,
    ClinicNum: b.ClinicNum ?? 0,
    Note: typeof b.Note === 'string' ? b.Note : '',
  };
  state.procedurelogs.push(proc);
  return [201, proc];
}

function parseBody (body) {
  try {
    const b = JSON.parse(body);
    return b !== null && typeof b === 'object' && !Array.isArray(b) ? b : null;
  } catch {
    return null;
  }
}

function postTreatPlan (body) {
  const b = parseBody(body);
  if (b === null) return [400, { message: 'The body is not a JSON object' }];
  if (!isInt(b.PatNum)) return [400, { message: 'PatNum is required and must be a number' }];
  if (!state.patients.some((p) => p.PatNum === b.PatNum)) return [400, { message: `PatNum ${b.PatNum} is invalid: no such patient` }];
  if (b.Heading !== undefined && typeof b.Heading !== 'string') return [400, { message: 'Heading must be text' }];
  if (b.Note !== undefined && typeof b.Note !== 'string') return [400, { message: 'Note must be text' }];
  if (b.TPType !== undefined && b.TPType !== 'Insurance' && b.TPType !== 'Discount') {
    return [400, { message: `TPType must be Insurance or Discount, got ${b.TPType}` }];
  }
  const plan = {
    TreatPlanNum: state.nextTreatPlanNum++,
    PatNum: b.PatNum,
    DateTP: '0001-01-01',
    Heading: b.Heading ?? 'Inactive Treatment Plan',
    Note: b.Note ?? '',
    TPStatus: 'Inactive',
    TPType: b.TPType ?? 'Insurance',
  };
  state.treatplans.push(plan);
  return [201, plan];
}

function postTreatPlanAttach (body) {
  const b = parseBody(body);
  if (b === null) return [400, { message: 'The body is not a JSON object' }];
  if (!isInt(b.TreatPlanNum)) return [400, { message: 'TreatPlanNum is required and must be a number' }];
  if (!isInt(b.ProcNum)) return [400, { message: 'ProcNum is required and must be a number' }];
  if (b.Priority !== undefined && !(Number.isInteger(b.Priority) && b.Priority >= 0)) return [400, { message: 'Priority is invalid' }];
  const plan = state.treatplans.find((t) => t.TreatPlanNum === b.TreatPlanNum);
  if (!plan) return [404, { message: `TreatPlanNum ${b.TreatPlanNum} not found` }];
  const proc = state.procedurelogs.find((p) => p.ProcNum === b.ProcNum);
  if (!proc) return [400, { message: `ProcNum ${b.ProcNum} is invalid: no such procedure` }];
  if (proc.PatNum !== plan.PatNum) return [400, { message: `ProcNum ${b.ProcNum} is for another patient than TreatPlanNum ${b.TreatPlanNum}` }];
  const attach = {
    TreatPlanAttachNum: state.nextTreatPlanAttachNum++,
    TreatPlanNum: b.TreatPlanNum,
    ProcNum: b.ProcNum,
    Priority: b.Priority ?? 0,
    priority: '',
  };
  state.treatplanattaches.push(attach);
  return [201, attach];
}

async function admin (req, res, url) {
  if (req.method === 'POST' && url.pathname === '/__admin/seed') {
    const b = JSON.parse(await readBody(req));
    if (b.patients) state.patients.push(...b.patients);
    if (b.providers) state.providers.push(...b.providers);
    if (b.codes) state.codes = new Set(b.codes);
    return json(res, 200, { patients: state.patients.length, providers: state.providers.length });
  }
  if (req.method === 'POST' && url.pathname === '/__admin/faults') {
    faults.configure(JSON.parse(await readBody(req)));
    return json(res, 200, { ok: true });
  }
  if (req.method === 'GET' && url.pathname === '/__admin/procedurelogs') return json(res, 200, state.procedurelogs);
  if (req.method === 'GET' && url.pathname === '/__admin/treatplans') {
    return json(res, 200, { treatplans: state.treatplans, treatplanattaches: state.treatplanattaches });
  }
  if (req.method === 'GET' && url.pathname === '/__admin/stats') return json(res, 200, faults.stats());
  return json(res, 404, { message: `no admin endpoint ${url.pathname}` });
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  try {
    if (url.pathname.startsWith('/__admin/')) return await admin(req, res, url);

    const path = url.pathname.replace(/^\/api\/v1/, '');
    const body = await readBody(req);
    const fault = faults.pick();
    const auth = req.headers.authorization ?? '';

    const work = async () => {
      if (!auth.startsWith('ODFHIR ')) return [401, { message: 'Authorization header missing or not ODFHIR' }];
      if (auth !== `ODFHIR ${devKey}/${custKey}`) return [401, { message: 'Invalid DeveloperKey or CustomerKey' }];
      if (req.method === 'GET' && path === '/patients/Simple') return findPatients(url.searchParams);
      if (req.method === 'GET' && path === '/providers') return [200, state.providers];
      if (req.method === 'POST' && path === '/procedurelogs') return postProcedure(body);
      if (req.method === 'GET' && path === '/procedurelogs') {
        const pat = Number(url.searchParams.get('PatNum'));
        if (!isInt(pat)) return [400, { message: 'PatNum is required' }];
        return [200, state.procedurelogs.filter((p) => p.PatNum === pat)];
      }
      if (req.method === 'POST' && path === '/treatplans') return postTreatPlan(body);
      if (req.method === 'GET' && path === '/treatplans') {
        const pat = url.searchParams.get('PatNum');
        if (pat !== null && !isInt(Number(pat))) return [400, { message: 'PatNum is invalid' }];
        return [200, state.treatplans.filter((t) => pat === null || t.PatNum === Number(pat))];
      }
      if (req.method === 'POST' && path === '/treatplanattaches') return postTreatPlanAttach(body);
      if (req.method === 'GET' && path === '/treatplanattaches') {
        const num = Number(url.searchParams.get('TreatPlanNum'));
        if (!isInt(num)) return [400, { message: 'TreatPlanNum is required in the URL' }];
        if (!state.treatplans.some((t) => t.TreatPlanNum === num)) return [404, { message: `TreatPlanNum ${num} not found` }];
        return [200, state.treatplanattaches.filter((a) => a.TreatPlanNum === num)];
      }
      return [404, { message: `${req.method} ${path} is not an endpoint of this server` }];
    };
    await withFault(fault, res, faults.slowMs, work, (s, b) => json(res, s, b));
  } catch (e) {
    if (!res.headersSent) json(res, 500, { message: String(e) });
  }
});

server.keepAliveTimeout = 5000;
server.listen(port, '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});

// Stop with the test that started us, even if it forgets.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
