#!/usr/bin/env node
// Bundle the process designer (bpmn-js Modeler + properties panel + our Chinese provider) for the browser.
//
// Run after `npm ci` and tools/copy_vendor.mjs (the Makefile does all three). No network.
// Idempotent: web/static/vendor/designer/ is replaced whole, nothing else is touched. Prints one line.
//
// Layout produced (the designer page links these paths):
//   web/static/vendor/designer/modeler.js              (IIFE, global `QinglianDesigner`; source in
//                                                       web/static/designer_src/index.js)
//   web/static/vendor/designer/diagram-js.css
//   web/static/vendor/designer/bpmn-js.css
//   web/static/vendor/designer/bpmn-font/css/bpmn.css  (url(../font/...) kept)
//   web/static/vendor/designer/bpmn-font/font/bpmn.{woff2,woff,ttf,eot,svg}
//   web/static/vendor/designer/properties-panel.css
//   web/static/vendor/designer/modeler.js.LEGAL.txt    (license comments found in the bundled code)
//   web/static/vendor/designer/LICENSES/<package>      (license of each package in the bundle), VERSION
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modules = join(root, 'node_modules');
const target = join(root, 'web', 'static', 'vendor', 'designer');
const entry = join(root, 'web', 'static', 'designer_src', 'index.js');

// [source under node_modules/, target under vendor/designer/]
const ASSETS = [
  ['bpmn-js/dist/assets/diagram-js.css', 'diagram-js.css'],
  ['bpmn-js/dist/assets/bpmn-js.css', 'bpmn-js.css'],
  ['bpmn-js/dist/assets/bpmn-font/css', 'bpmn-font/css'],
  ['bpmn-js/dist/assets/bpmn-font/font', 'bpmn-font/font'],
  ['@bpmn-io/properties-panel/dist/assets/properties-panel.css', 'properties-panel.css'],
];
const PACKAGES = ['bpmn-js', 'diagram-js', 'bpmn-js-properties-panel', '@bpmn-io/properties-panel'];

// bpmn-js-properties-panel ships one file holding its BPMN, Camunda 7 and Zeebe providers; statements
// like `ZeebePropertiesProvider.$inject = [...]` keep the unused ones alive in the bundle. Moving each
// such list into its class as `static $inject` (same meaning for didi) lets esbuild drop the unused
// classes (~180 KiB). A statement whose class is not found is left as it is.
const staticInject = {
  name: 'static-inject',
  setup(b) {
    b.onLoad({ filter: /bpmn-js-properties-panel[\\/]dist[\\/]index\.esm\.js$/ }, (args) => {
      let source = readFileSync(args.path, 'utf8');
      const lists = [...source.matchAll(/^([A-Za-z_$][\w$]*)\.\$inject = (\[[^\]\n]*\]);\n/gm)];
      for (const [line, name, list] of lists) {
        const head = new RegExp(`^class ${name.replace(/\$/g, '\\$')}(?: extends [^{\\n]+)? \\{\\n`, 'm');
        if (head.test(source)) {
          const withStatic = (opening) => `${opening}  static $inject = ${list};\n`;
          source = source.replace(line, '').replace(head, withStatic);
        }
      }
      return { contents: source, loader: 'js' };
    });
  },
};

function fail(message) {
  console.error(`build_designer: ${message}`);
  process.exit(1);
}

for (const name of PACKAGES) {
  if (!existsSync(join(modules, name, 'package.json'))) {
    fail(`node_modules/${name} is missing; run \`npm ci\` first`);
  }
}

rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });

const result = await build({
  entryPoints: [entry],
  outfile: join(target, 'modeler.js'),
  bundle: true,
  format: 'iife',
  globalName: 'QinglianDesigner',
  platform: 'browser',
  target: ['es2020'],
  minify: true,
  legalComments: 'linked',
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: { '.json': 'json' },
  logLevel: 'silent',
  metafile: true,
  plugins: [staticInject],
}).catch((error) => fail(error.message));
if (result.warnings.length) {
  console.error(result.warnings.map((w) => `build_designer: warning: ${w.text}`).join('\n'));
}

for (const [src, dst] of ASSETS) {
  const from = join(modules, src);
  if (!existsSync(from)) {
    fail(`${relative(root, from)} not found (did the package change its layout?)`);
  }
  cpSync(from, join(target, dst), { recursive: true });
}

// the license of every package with code in the bundle
const bundled = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match) {
    bundled.add(match[1]);
  }
}
mkdirSync(join(target, 'LICENSES'), { recursive: true });
for (const name of bundled) {
  const dir = join(modules, name);
  const names = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'LICENCE'];
  const license = names.map((f) => join(dir, f)).find((f) => existsSync(f));
  if (license) {
    cpSync(license, join(target, 'LICENSES', name.replace('/', '+')));
  }
}

const versions = PACKAGES.map((name) => {
  const { version } = JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8'));
  return `${name}@${version}`;
});
writeFileSync(join(target, 'VERSION'), `${versions.join('\n')}\n`);

const kib = (statSync(join(target, 'modeler.js')).size / 1024).toFixed(0);
const where = relative(root, target);
console.log(`build_designer: ${versions.join(', ')} -> ${where}/modeler.js (${kib} KiB) + CSS`);
