// Run Python files under MicroPython 1.27 (npm @micropython/micropython-webassembly-pyscript).
//   node tests/mp/run.mjs tests/test_a.py [tests/test_b.py ...]   unittest modules; exit 1 on any failure
//   node tests/mp/run.mjs --script bench/footprint.py [args]     run one script as __main__
// The package directory prometheus_express/ and the named files are copied into the
// interpreter's in-memory file system at /lib and /t.
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
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
    else if (name.endsWith(".py")) mp.FS.writeFile(dst + "/" + name, fs.readFileSync(s));
  }
}
mp.FS.mkdir("/lib");
copyDir(path.join(root, "prometheus_express"), "/lib/prometheus_express");
mp.FS.mkdir("/t");
for (const f of files) mp.FS.writeFile("/t/" + path.basename(f), fs.readFileSync(path.resolve(f)));
// Portable helpers (first line "# portable") beside the tests, e.g. fakenet.py.
const tdir = path.join(root, "tests");
for (const n of fs.readdirSync(tdir)) {
  if (!n.endsWith(".py")) continue;
  const text = fs.readFileSync(path.join(tdir, n), "utf8");
  if (text.startsWith("# portable")) mp.FS.writeFile("/t/" + n, text);
}
const extra = path.join(root, "tests", "mp", "support");
if (fs.existsSync(extra)) for (const n of fs.readdirSync(extra)) if (n.endsWith(".py")) mp.FS.writeFile("/t/" + n, fs.readFileSync(path.join(extra, n)));

const mods = files.map((f) => path.basename(f, ".py"));
let code;
if (script) {
  code = `
import sys
sys.path.insert(0, '/t'); sys.path.insert(0, '/lib')
sys.argv = ${JSON.stringify([mods[0], ...args.slice(2)])}
__import__('${mods[0]}').main()
`;
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
