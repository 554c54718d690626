"""Development tools: the benchmark (`manage.py benchmark`) and its measurement middleware.

Installed only when EXCERPTA_DEVTOOLS=1 (config/settings.py); nothing in the app imports it.
"""
