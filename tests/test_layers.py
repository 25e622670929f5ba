"""Imports point down the layers: a module imports only from its own package or from a
lower layer, never up and never sideways into an independent package of its own layer.

Every import counts, also those inside functions (a lazy import is still a dependency)
and inside ``if TYPE_CHECKING:``. Strings are not imports: ``relationship("User")`` and
``importlib.import_module(...)`` are not checked.

A higher layer hears from a lower one through ``coop.core.events``: the lower layer
announces (a cohort graduated) or asks (how many are enrolled?), and the higher layers
connect their receivers when their modules are imported, which ``create_app`` does.
"""

import ast
from pathlib import Path

COOP = Path(__file__).resolve().parent.parent / "coop"

#: Bottom to top. A module may import from its own package and from lower layers. The
#: packages of one layer are independent of each other.
#:
#: programs sits below auth: a staff member's scope is a set of cities (``User.cities``,
#: the ``staff_cities`` table, the People pages' city choices), while the catalog of
#: cities, tracks and cohorts needs nothing of auth but a duck-typed ``can_see_city``.
LAYERS: list[set[str]] = [
    {"core"},
    {"programs"},
    {"auth"},
    {"enrollment"},
    {"coaching"},
    {"sessions", "referrals", "announcements", "assessments", "plans", "support", "risk"},
    {"talent"},
    {"hiring"},
    {"reports", "portal", "privacy", "people"},
]

#: Top-level modules that are part of a package: the database plumbing is core's.
PART_OF = {"db": "core", "extensions": "core"}

#: The composition root: the app factory, the schema loader and the demo data (the whole
#: ``coop.demo`` package) put every layer together. They may import anything; nothing in
#: the layers may import them. (The benchmarks live outside ``coop``, in ``benchmarks/``.)
ROOT = {"coop", "coop.models", "coop.demo"}


def is_root(module: str) -> bool:
    return module in ROOT or module.startswith("coop.demo.")


def module_name(path: Path) -> str:
    parts = path.relative_to(COOP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def unit(module: str) -> str:
    """``coop.auth.views`` → ``auth``; ``coop.db`` → ``core``."""
    name = module.split(".")[1]
    return PART_OF.get(name, name)


def layer(module: str) -> int:
    for i, units in enumerate(LAYERS):
        if unit(module) in units:
            return i
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS")


def submodule(base: str, name: str) -> str:
    """``from coop.auth import services`` imports ``coop.auth.services``."""
    path = COOP.parent.joinpath(*base.split("."), name)
    return f"{base}.{name}" if path.with_suffix(".py").exists() or path.is_dir() else base


def imports(source: str, module: str, is_package: bool = False):
    """``(line, imported module)`` for every import of ``coop`` code in ``source``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from coop.auth import services`` imports the module coop.auth.services
            names = {submodule(base, alias.name) for alias in node.names}
        else:
            continue
        for name in names:
            if name == "coop" or name.startswith("coop."):
                yield node.lineno, name


def problems(source: str, module: str, where: str, is_package: bool = False) -> list[str]:
    if is_root(module):
        return []
    found = []
    for line, target in sorted(imports(source, module, is_package)):
        if is_root(target):
            why = "the composition root"
        elif unit(target) == unit(module):
            continue
        elif layer(target) > layer(module):
            why = "up"
        elif layer(target) == layer(module):
            why = "sideways"
        else:
            continue
        found.append(f"{where}:{line} {module} imports {target} ({why})")
    return found


def upward_imports() -> list[str]:
    found = []
    for path in sorted(COOP.rglob("*.py")):
        name = module_name(path)
        where = path.relative_to(COOP.parent).as_posix()
        found += problems(path.read_text(), name, where, path.name == "__init__.py")
    return found


def test_every_import_points_down_the_layers():
    found = upward_imports()
    assert not found, "Imports that do not point down the layers:\n" + "\n".join(found)


def test_the_check_sees_lazy_upward_and_sideways_imports():
    source = (
        "from coop.core.audit import record\n"
        "from coop.auth.models import User\n"
        "def f():\n"
        "    from coop.sessions import queries\n"
        "    import coop.referrals.models\n"
        "    from coop.demo import seed\n"
        "    from coop import create_app\n"
    )
    assert problems(source, "coop.sessions.views", "x.py") == [
        "x.py:5 coop.sessions.views imports coop.referrals.models (sideways)",
        "x.py:6 coop.sessions.views imports coop.demo (the composition root)",
        "x.py:7 coop.sessions.views imports coop (the composition root)",
    ]
    assert problems(source, "coop.programs.services", "y.py") == [
        "y.py:2 coop.programs.services imports coop.auth.models (up)",
        "y.py:4 coop.programs.services imports coop.sessions.queries (up)",
        "y.py:5 coop.programs.services imports coop.referrals.models (up)",
        "y.py:6 coop.programs.services imports coop.demo (the composition root)",
        "y.py:7 coop.programs.services imports coop (the composition root)",
    ]
    # every module of the package is seen
    assert len(list(COOP.rglob("*.py"))) > 80


def test_the_demo_package_is_outside_the_layers():
    """The demo may import any domain; no domain may import any part of it; and no domain
    package holds demo or benchmark code of its own."""
    source = "from coop.demo.enrollment import seed\nfrom coop.demo import base\n"
    assert problems(source, "coop.reports.views", "z.py") == [
        "z.py:1 coop.reports.views imports coop.demo.enrollment (the composition root)",
        "z.py:2 coop.reports.views imports coop.demo.base (the composition root)",
    ]
    assert problems("from coop.portal.views import bp\n", "coop.demo.people", "d.py") == []
    assert not [p for p in COOP.rglob("*.py") if p.stem in ("demo", "bench")]
