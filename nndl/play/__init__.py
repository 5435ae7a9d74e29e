"""``nndl play``: every exercise live in the browser.

A local web page (plain HTML, CSS and JavaScript modules in ``static/``, no build step, no
network) over a JSON API (:mod:`nndl.play.api`) that returns what the commands print with
``--format json``, computed by the same functions; the page never computes, it asks and
draws. :mod:`nndl.play.server` serves both with the standard library's threading HTTP
server; a training run streams its progress as Server-Sent Events (``/api/train``), and what
takes seconds runs in worker processes under a time limit (:mod:`nndl.play.worker`).

Views: ``#/graph`` (exercise 4), ``#/summary`` (5, 6), ``#/act`` (1), ``#/outlier`` (2),
``#/vanish`` (3), ``#/train`` (digits, live) and ``#/solve``; ``&lang=zh|en`` and
``&hide=PART,...`` (a teacher's link without the answers) work on each.

>>> from nndl.play.server import make_server
>>> server = make_server("127.0.0.1", 0, warm=False)   # port 0: any free port
>>> server.url.startswith("http://127.0.0.1:")
True
>>> server.server_close()
"""
