"""Our metrics' lines on CPython, where RAM is plenty (boards never load this): each key's
`{labels} ` text is made once and kept (a pure function of the key, so a kept one is never
wrong), and lines are written as str pieces joined once.

Imported on: CPython only (metrics.py's render loop there).
"""
from ._format import fmt


def cpython_rows(self, w, name, created, t, fn, o, lim):
    """MetricWrapperBase._rows on CPython."""
    labs = self._labs
    if labs is None:
        labs = self._labs = {}
    esc = self._esc
    f = t[0]
    for chunk in self._chunks():
        for i in range(0, len(chunk), 2):
            k = chunk[i]
            lab = labs.get(k)
            if lab is None:
                e = esc.get(k, k) if esc else k
                lab = labs[k] = f % (e if t[2] else tuple([e[j] for j in t[1]]))
            c = chunk[i + 1]
            w(name)
            w(lab)
            w(fmt(c._get() if fn else c._v))
            w('\n')
            if created:
                w(created)
                w(lab)
                w(fmt(c._c))
                w('\n')
            if len(o) >= lim:
                yield
