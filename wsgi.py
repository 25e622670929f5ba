"""WSGI entry point: ``gunicorn wsgi:app``. Uses the production config unless COOP_CONFIG says otherwise."""

import os

from coop import create_app

app = create_app(os.environ.get("COOP_CONFIG", "production"))
