// faults.mjs: seeded fault injection for the loopback PMS test servers.
//
// A fault is chosen per request with probability `rate`, from a seeded
// generator, so a run with the same seed faults the same requests.  Kinds:
//   error-before   answer 500 without doing anything
//   error-after    do the work (store the record), then answer 500
//   timeout-before never answer, do nothing
//   timeout-after  do the work, never answer
//   reset-before   reset the connection, do nothing
//   reset-after    do the work, then reset the connection
//   slow           answer normally after `slowMs`
// The "-after" kinds are the ones that make a naive client post twice.

export const KINDS = ['error-before', 'error-after', 'timeout-before', 'timeout-after',
  'reset-before', 'reset-after', 'slow'];

// mulberry32: small and deterministic.
function rng (seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  constructor () {
    this.configure({ rate: 0, seed: 1, kinds: KINDS, slowMs: 300 });
  }

  configure ({ rate = 0, seed = 1, kinds = KINDS, slowMs = 300 }) {
    this.rate = Number(rate);
    this.random = rng(Number(seed));
    this.kinds = kinds.filter((k) => KINDS.includes(k));
    this.slowMs = Number(slowMs);
    this.counts = Object.fromEntries(KINDS.map((k) => [k, 0]));
    this.requests = 0;
  }

  // The fault for the next request, or null.
  pick () {
    this.requests++;
    if (this.rate <= 0 || this.kinds.length === 0 || this.random() >= this.rate) {
      return null;
    }
    const kind = this.kinds[Math.floor(this.random() * this.kinds.length)];
    this.counts[kind]++;
    return kind;
  }

  stats () {
    return { requests: this.requests, faults: this.counts };
  }
}

// Never answers; the socket is closed after a minute in any case so that a
// forgotten server does not hold it forever.
export function hang (res) {
  const t = setTimeout(() => res.socket?.destroy(), 60000);
  res.socket?.once('close', () => clearTimeout(t));
}

export function reset (res) {
  const s = res.socket;
  if (!s) return;
  if (typeof s.resetAndDestroy === 'function') {
    s.resetAndDestroy();
  } else {
    s.destroy();
  }
}

// Runs `work` (which returns [status, body]) under fault `kind` and writes
// the answer with `send(status, body)`.
export async function withFault (kind, res, slowMs, work, send) {
  if (kind === 'error-before') return send(500, { message: 'injected fault: internal error before processing' });
  if (kind === 'timeout-before') return hang(res);
  if (kind === 'reset-before') return reset(res);
  const [status, body] = await work();
  if (kind === 'error-after') return send(500, { message: 'injected fault: internal error after processing' });
  if (kind === 'timeout-after') return hang(res);
  if (kind === 'reset-after') return reset(res);
  if (kind === 'slow') await new Promise((r) => setTimeout(r, slowMs));
  return send(status, body);
}

export async function readBody (req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}
