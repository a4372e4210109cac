"""WSGI entry point for production: ``gunicorn -w 4 wsgi:app``."""
import gc

from lokapp import create_app

app = create_app()
# What start-up created (the app, its templates, translations, SQLAlchemy's mappers) lives for
# the whole process: move it out of the garbage collector's sight, so full collections scan only
# what requests create. On the season allocation page at 500 applications a full collection
# cost ~170 ms every second or third request; frozen, the page stayed at 125–150 ms CPU
# (benchmarks/seasons.py --gc-freeze).
gc.freeze()
