"""What every app uses and that belongs to none: the htmx answers (http.py), the error
views (views.py), `Conflict` (errors.py), names and trees (naming.py) and the rule for text
users type (sanitise.py), and the memory a heavy request freed, given back once its response
has gone out (memory.py, connected in apps.py). It imports no app of the project; every app
may import it."""
