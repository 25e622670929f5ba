"""Imports every domain's models, so Alembic and the shell see the whole schema."""

import importlib
import pkgutil

import coop

#: Domain packages, in dependency order (the layers of tests/test_layers.py).
DOMAINS = [
    "core",
    "programs",
    "auth",
    "enrollment",
    "coaching",
    "sessions",
    "referrals",
    "reports",
    "portal",
]


def load_all() -> None:
    """Import ``coop.<domain>.models`` for every domain that has one."""
    present = {m.name for m in pkgutil.iter_modules(coop.__path__)}
    for domain in DOMAINS:
        if domain in present:
            try:
                importlib.import_module(f"coop.{domain}.models")
            except ModuleNotFoundError as exc:
                if exc.name != f"coop.{domain}.models":
                    raise


load_all()
