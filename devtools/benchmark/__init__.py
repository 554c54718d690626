"""`manage.py benchmark`: time the pages that matter on a big synthetic study, over HTTP.

One module per concern: scratch.py builds the scratch study, serving.py serves it with
gunicorn and talks to it (Browser), measuring.py runs the timed rounds and summarises them,
registry.py is where each area's module (coding.py, themes.py, ...) registers what it
measures and what it adds to the scratch study. Adding a measurement is a function in the
area's module (or a new module in this package), never an edit to a shared list.
"""
