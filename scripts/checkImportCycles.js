#!/usr/bin/env node
// Fails when the relative imports of src/ or scripts/ form a cycle (type-only imports count too:
// a cycle of types is still two files that cannot be read apart). Prints each cycle as a -> b -> a.
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const root = path.resolve(__dirname, '..');
const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['src', 'scripts'];

function listTs(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) listTs(p, out);
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function resolveImport(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
}

let cycles = 0;
for (const dir of roots) {
  const files = listTs(path.join(root, dir));
  const graph = new Map(files.map((f) => [f, ts.preProcessFile(fs.readFileSync(f, 'utf8'), true, true).importedFiles.map((i) => resolveImport(f, i.fileName)).filter((t) => t && t.startsWith(path.join(root, dir)))]));
  const state = new Map(); // undefined: new, 1: on the stack, 2: done
  const stack = [];
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 1) {
        cycles++;
        console.error(`import cycle: ${[...stack.slice(stack.indexOf(t)), t].map((p) => path.relative(root, p)).join(' -> ')}`);
      } else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of files) if (!state.has(f)) visit(f);
}
if (cycles) process.exit(1);
console.log(`no import cycles in ${roots.join(', ')}`);
