"""The package's structure, read from its source with ast: top-level imports form a layered
graph (no cycle: imports point down), and an import inside a function is only a module loading
its own optional extension, one of those declared below, written as a plain `from .x import
y` with a comment (on its line or on its function's def line), never a module name built from
a string. A new lazy load has to be declared here, with its reason. Modules a board may load
have no docstrings (comments instead): a board's compiler holds each docstring whole while it
parses, a late import at the heap's limits pays for it in contiguous room."""
import ast
import os
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.join(os.path.dirname(HERE), 'prometheus_express')

# The one import by a name given at run time: MicroPython's `from prometheus_express import X`
# asks the package's __getattr__ before it imports submodule X itself, and a raise there
# stops it; so on boards __getattr__ (public_names.load) imports X as MicroPython would have.
SUBMODULE_FALLBACK = ('public_names', 1)

# The exporter's error answers: a board that is only ever scraped never compiles them, and
# where a full heap cannot load them that client gets the pre-made 503.
ERRORS = 'error answers (4xx, 408, 500, the 503 of a full table), at the first one'
# host -> {extension: why it is loaded late}
EXTENSIONS = {
    '__init__': {'public_names': 'the table of the public names that load on first use'},
    'public_names': dict.fromkeys(
        ('metric_ops', 'summary_histogram', 'info_enum', 'families', 'exposition', 'routing',
         'server', 'background', 'aio',
         'push', 'remote_write', 'board'),
        'a public name loads its module on first use'),
    'metrics': {'metric_ops': 'the rarer calls (remove(), clear(), collect(), timers, '
                              'multiprocess_mode)',
                'exemplars': 'the first exemplar', 'staleness': 'expire='},
    'children': {'label_args': 'keyword labels, and the errors of labels()'},
    'page': {'familytext': 'Metric families on a page'},
    'metric_ops': {'collection': 'collect() and describe(): Metric families'},
    'summary_histogram': {'exemplars': 'the first exemplar'},
    'registry': {'collection': 'collect(), target_info, custom collectors',
                 'views': '?name[]= views',
                 'page': 'render()'},
    'http': {'_query': 'query strings'},
    'views': {'collection': 'families of what a view filters'},
    'exposition': {'_gzip': 'gzip when asked'},
    'familytext': {'escaping': 'escaping schemes other than underscores'},
    'server': {'server_metrics': 'self_metrics'},
    'background': {'wsgi': 'TLS (CPython)'},
    'answering': {'_gzip': 'gzip when asked', 'http_errors': ERRORS},
    'answer': {'http_errors': ERRORS},
    'connections': {'http_errors': ERRORS},
    'exchange': {'http_errors': ERRORS},
    'aio': {'_gzip': 'gzip when asked'},
    '_sockets': {'_pysockets': 'a pool of Python-object sockets (WIZnet)',
                 '_pollers': 'sockets select.poll() cannot take'},
    'remote_write': {'metric_samples': 'samples of our metrics', 'remote_file': 'the file buffer'},
    'board': {'process': "CPython's process collectors"},
    'dropin': dict.fromkeys(('wsgi', 'asgi', 'textfile', 'push', 'urllib_handlers',
                             'background'),
                            "CPython's web, push and textfile names, at first use"),
}

# Modules only CPython loads: they may keep docstrings (help() shows them there).
CPYTHON_ONLY = ('__main__', 'asgi', 'core', 'cpython_rows', 'cpython_serving', 'decorator',
                'dropin', 'process', 'urllib_handlers', 'wsgi')


def targets(node):
    """The package modules an import statement names."""
    out = []
    if isinstance(node, ast.ImportFrom):
        if node.level == 1:
            out = [node.module.split('.')[0]] if node.module else [a.name for a in node.names]
        elif node.level == 0 and (node.module or '').startswith('prometheus_express'):
            rest = node.module[len('prometheus_express') + 1:]
            out = [rest.split('.')[0] if rest else '__init__']
    elif isinstance(node, ast.Import):
        for a in node.names:
            if a.name == 'prometheus_express':
                out.append('__init__')
            elif a.name.startswith('prometheus_express.'):
                out.append(a.name.split('.')[1])
    return out


def read():
    """{module: (top-level imports, [(lazy import, line, commented)], string imports)}."""
    mods = {}
    for f in sorted(os.listdir(PKG)):
        if not f.endswith('.py'):
            continue
        src = open(os.path.join(PKG, f), encoding='utf-8').read()
        lines = src.split('\n')
        top, lazy, strings = set(), [], []

        def walk(node, fn):
            for ch in ast.iter_child_nodes(node):
                inner = ch if isinstance(ch, (ast.FunctionDef, ast.AsyncFunctionDef,
                                              ast.Lambda)) else fn
                for t in targets(ch):
                    if fn is None:
                        top.add(t)
                    else:
                        commented = '#' in lines[ch.lineno - 1] or (
                            hasattr(fn, 'lineno') and '#' in lines[fn.lineno - 1])
                        lazy.append((t, ch.lineno, commented))
                if isinstance(ch, ast.Call) and getattr(ch.func, 'id', None) in (
                        '__import__', 'import_module') and ch.args:
                    a = ch.args[0]
                    if not isinstance(a, ast.Constant) or 'prometheus_express' in str(a.value):
                        text = ast.get_source_segment(src, a) or ''
                        if not isinstance(a, ast.Name) or 'prometheus' in text:
                            strings.append(ch.lineno)
                walk(ch, inner)
        walk(ast.parse(src), None)
        mods[f[:-3]] = (top, lazy, strings)
    return mods


class Structure(unittest.TestCase):
    def setUp(self):
        self.mods = read()

    def test_modules_read(self):
        # (the reader itself can fail: it must see the package and its known edges)
        self.assertIn('server', self.mods['__main__'][0])
        self.assertIn('registry', self.mods['exposition'][0])
        self.assertIn('_query', [t for t, _, _ in self.mods['http'][1]])

    def test_top_level_imports_form_layers(self):
        graph = {m: v[0] & set(self.mods) for m, v in self.mods.items()}
        state = {}

        def visit(m, path):
            if state.get(m) == 1:
                self.fail('import cycle: ' + ' -> '.join(path[path.index(m):] + [m]))
            if state.get(m) == 2:
                return
            state[m] = 1
            for n in sorted(graph[m]):
                visit(n, path + [m])
            state[m] = 2
        for m in sorted(graph):
            visit(m, [])

    def test_lazy_imports_are_declared_extensions(self):
        for m, (top, lazy, _) in sorted(self.mods.items()):
            for t, line, commented in lazy:
                with self.subTest(module=m, line=line):
                    self.assertIn(t, EXTENSIONS.get(m, {}),
                                  '%s.py:%d loads %s late, which is not one of its declared '
                                  'extensions' % (m, line, t))
                    self.assertTrue(commented, '%s.py:%d: a late import without a comment'
                                    % (m, line))
                    self.assertNotIn(t, top, '%s.py:%d: %s is imported at the top already'
                                     % (m, line, t))

    def test_declared_extensions_exist(self):
        for host, exts in EXTENSIONS.items():
            for e in exts:
                self.assertIn(e, self.mods, (host, e))
                self.assertIn(e, [t for t, _, _ in self.mods[host][1]],
                              '%s no longer loads %s: remove it from EXTENSIONS' % (host, e))

    def test_no_module_name_built_from_a_string(self):
        for m, (_, _, strings) in sorted(self.mods.items()):
            allowed = SUBMODULE_FALLBACK[1] if m == SUBMODULE_FALLBACK[0] else 0
            self.assertEqual(len(strings), allowed,
                             '%s.py: __import__ of our modules by string' % m)

    def test_no_docstrings_where_a_board_compiles(self):
        found = []
        for f in sorted(os.listdir(PKG)):
            if not f.endswith('.py') or f[:-3] in CPYTHON_ONLY:
                continue
            tree = ast.parse(open(os.path.join(PKG, f), encoding='utf-8').read())
            for n in ast.walk(tree):
                if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                  ast.AsyncFunctionDef)) and ast.get_docstring(n) is not None:
                    found.append('%s:%s' % (f, getattr(n, 'name', '(module)')))
        self.assertEqual(found, [])


if __name__ == '__main__':
    unittest.main()
