"""What every app uses and that belongs to none: the htmx answers (http.py), the error
views (views.py), `Conflict` (errors.py), names and trees (naming.py) and the rule for text
users type (sanitise.py). It imports no app of the project; every app may import it."""
