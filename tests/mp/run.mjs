// Run Python files under MicroPython 1.27 (npm @micropython/micropython-webassembly-pyscript).
//   node tests/mp/run.mjs tests/test_a.py [tests/test_b.py ...]   unittest modules; exit 1 on any failure
//   node tests/mp/run.mjs --script FILE.py [args]                 run one script as __main__ (step(i) per call)
// The package directory prometheus_express/ and the named files are copied into the
// interpreter's in-memory file system at /lib and /t.
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
let args = process.argv.slice(2);
// --pkg DIR: copy DIR as /lib/prometheus_express instead of ours (.py and .mpy files), e.g.
// build/lib/prometheus_express (compiled) or the old prometheus-express 0.0.4.
let pkg = path.join(root, "prometheus_express");
if (args[0] === "--pkg") { pkg = path.resolve(args[1]); args = args.slice(2); }
const script = args[0] === "--script" ? args[1] : null;
const files = script ? [script] : args;
if (!files.length) { console.error("usage: run.mjs FILE... | --script FILE [ARGS]"); process.exit(2); }

const mp = await loadMicroPython({
  heapsize: 8 * 1024 * 1024,
  stdout: (l) => process.stdout.write(l + "\n"),
  stderr: (l) => process.stderr.write(l + "\n"),
});

function copyDir(src, dst) {
  mp.FS.mkdir(dst);
  for (const name of fs.readdirSync(src)) {
    const s = path.join(src, name);
    if (fs.statSync(s).isDirectory()) { if (name !== "__pycache__") copyDir(s, dst + "/" + name); }
    else if (name.endsWith(".py") || name.endsWith(".mpy")) mp.FS.writeFile(dst + "/" + name, fs.readFileSync(s));
  }
}
mp.FS.mkdir("/lib");
copyDir(pkg, "/lib/prometheus_express");
mp.FS.mkdir("/t");
for (const f of files) mp.FS.writeFile("/t/" + path.basename(f), fs.readFileSync(path.resolve(f)));
// Portable helpers (first line "# portable") beside the tests, e.g. fakenet.py.
const tdir = path.join(root, "tests");
for (const n of fs.readdirSync(tdir)) {
  if (!n.endsWith(".py")) continue;
  const text = fs.readFileSync(path.join(tdir, n), "utf8");
  if (text.startsWith("# portable")) mp.FS.writeFile("/t/" + n, text);
}
// The examples, importable by tests/test_examples.py.
const edir = path.join(root, "examples");
if (fs.existsSync(edir)) for (const n of fs.readdirSync(edir)) if (n.endsWith(".py")) mp.FS.writeFile("/t/" + n, fs.readFileSync(path.join(edir, n)));
const extra = path.join(root, "tests", "mp", "support");
if (fs.existsSync(extra)) for (const n of fs.readdirSync(extra)) if (n.endsWith(".py")) mp.FS.writeFile("/t/" + n, fs.readFileSync(path.join(extra, n)));

const mods = files.map((f) => path.basename(f, ".py"));
let code;
if (script) {
  // This port's sys has no argv: the script reads its arguments from _script_args.ARGV.
  mp.FS.writeFile("/t/_script_args.py", "ARGV = " + JSON.stringify([mods[0], ...args.slice(2)]) + "\n");
  // The script's step(i) is called in a new runPython call each time until it returns a
  // false value: this port can only collect garbage between calls (the C stack of a call in
  // progress is not scanned), so each step starts with what the previous ones left alive.
  mp.runPython(`import sys\nsys.path.insert(0, '/t'); sys.path.insert(0, '/lib')\n_mod = __import__('${mods[0]}')`);
  for (let i = 0; ; i++) {
    try {
      mp.runPython(`_more = _mod.step(${i})`);
    } catch (e) { console.error(String(e)); process.exit(1); }
    if (!mp.globals.get("_more")) break;
  }
  process.exit(0);
} else {
  code = `
import sys, unittest
sys.path.insert(0, '/t'); sys.path.insert(0, '/lib')
bad = 0
ran = 0
for name in ${JSON.stringify(mods)}:
    print('== MicroPython: ' + name)
    mod = __import__(name)
    r = unittest.main(module=mod)
    ran += r.testsRun
    bad += r.failuresNum + r.errorsNum
print('== MicroPython total: %d tests, %d failed' % (ran, bad))
_RESULT = bad
`;
}
try {
  mp.runPython(code);
} catch (e) {
  console.error(String(e));
  process.exit(1);
}
if (!script) {
  const bad = mp.globals.get("_RESULT");
  process.exit(bad === 0 ? 0 : 1);
}
