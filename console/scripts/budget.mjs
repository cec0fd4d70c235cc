// Fails the build when a first load is over the budget of JavaScript, gzipped. A first load is
// the entry chunk with its static imports plus the page the address opens (pages are lazy
// chunks); the heaviest page is counted, so every first load is within the budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const BUDGET = 300 * 1024;
const dist = new URL('../dist/', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8'));
const gzipped = new Map();
const size = (file) => {
  if (!gzipped.has(file)) {
    gzipped.set(file, gzipSync(readFileSync(join(dist, file)), { level: 9 }).length);
  }
  return gzipped.get(file);
};
// A chunk and everything it imports statically (what the browser must fetch before it runs).
const closure = (key, into = new Set()) => {
  const chunk = manifest[key];
  if (!chunk || into.has(chunk.file)) return into;
  into.add(chunk.file);
  (chunk.imports ?? []).forEach((k) => closure(k, into));
  return into;
};
const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
if (!entryKey) {
  console.error('budget: the build has no entry chunk; is it broken?');
  process.exit(1);
}
const entry = closure(entryKey);
const pages = manifest[entryKey].dynamicImports ?? [];
let worst = { page: '(none)', total: [...entry].reduce((n, f) => n + size(f), 0) };
for (const page of pages) {
  const files = closure(page, new Set(entry));
  const total = [...files].reduce((n, f) => n + size(f), 0);
  console.log(`budget: first load of ${page}: ${(total / 1024).toFixed(1)} KiB gzipped`);
  if (total > worst.total) worst = { page, total };
}
const ok = worst.total <= BUDGET;
console.log(`budget: heaviest first load (${worst.page}) ${(worst.total / 1024).toFixed(1)} KiB of JavaScript gzipped, `
  + `${ok ? 'within' : 'OVER'} the ${BUDGET / 1024} KiB budget`);
process.exit(ok ? 0 : 1);
