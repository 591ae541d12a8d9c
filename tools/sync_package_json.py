"""Write package.json's module list (for mip) from the files in prometheus_express/.

    python3 tools/sync_package_json.py
"""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
path = os.path.join(ROOT, 'package.json')
with open(path) as f:
    pkg = json.load(f)
mods = sorted('prometheus_express/' + n for n in os.listdir(os.path.join(ROOT, 'prometheus_express'))
              if n.endswith('.py') and n != '__main__.py')
pkg['urls'] = [[m, m] for m in mods]
with open(path, 'w') as f:
    f.write(json.dumps(pkg, indent=2) + '\n')
