#!/usr/bin/env node
// Copy the browser files of our npm packages from node_modules/ into web/static/vendor/.
//
// Run after `npm ci` (the Makefile does `npm ci && node tools/copy_vendor.mjs`).
// No dependencies, no network. Idempotent: each package's target folder is replaced whole,
// nothing else under web/static/vendor/ is touched. Prints one line.
//
// Layout produced (templates link these paths):
//   web/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js   (global `BpmnJS`)
//   web/static/vendor/bpmn-js/assets/diagram-js.css
//   web/static/vendor/bpmn-js/assets/bpmn-js.css
//   web/static/vendor/bpmn-js/assets/bpmn-font/css/bpmn.css             (url(../font/...) kept)
//   web/static/vendor/bpmn-js/assets/bpmn-font/font/bpmn.{woff2,woff,ttf,eot,svg}
//   web/static/vendor/bpmn-js/LICENSE, VERSION
//   web/static/vendor/dmn-js/dmn-modeler.production.min.js              (global `DmnJS`, the 决策表 editor)
//   web/static/vendor/dmn-js/assets/{dmn-js-*.css,dmn-font/…}
//   web/static/vendor/echarts/echarts.min.js                               (global `echarts`)
//   web/static/vendor/echarts/LICENSE, VERSION
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vendor = join(root, 'web', 'static', 'vendor');

// package -> list of [source path inside the package, target path inside vendor/<package>/]
const PACKAGES = {
  'bpmn-js': [
    ['dist/bpmn-navigated-viewer.production.min.js', 'bpmn-navigated-viewer.production.min.js'],
    ['dist/assets', 'assets'],
    ['LICENSE', 'LICENSE'],
  ],
  'dmn-js': [
    ['dist/dmn-modeler.production.min.js', 'dmn-modeler.production.min.js'],
    ['dist/assets', 'assets'],
    ['LICENSE', 'LICENSE'],
  ],
  echarts: [
    ['dist/echarts.min.js', 'echarts.min.js'],
    ['LICENSE', 'LICENSE'],
  ],
};

let files = 0;
const done = [];
for (const [name, entries] of Object.entries(PACKAGES)) {
  const pkgDir = join(root, 'node_modules', name);
  const pkgJson = join(pkgDir, 'package.json');
  if (!existsSync(pkgJson)) {
    console.error(`copy_vendor: ${relative(root, pkgDir)} is missing; run \`npm ci\` first`);
    process.exit(1);
  }
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8'));
  const target = join(vendor, name);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const [src, dst] of entries) {
    const from = join(pkgDir, src);
    if (!existsSync(from)) {
      console.error(`copy_vendor: ${relative(root, from)} not found (did ${name} change its layout?)`);
      process.exit(1);
    }
    cpSync(from, join(target, dst), {
      recursive: true,
      filter: (path) => { if (statSync(path).isFile()) files += 1; return true; },
    });
  }
  writeFileSync(join(target, 'VERSION'), `${version}\n`);
  files += 1;
  done.push(`${name}@${version}`);
}

console.log(`copy_vendor: ${done.join(', ')} -> ${relative(root, vendor)}/ (${files} files)`);
