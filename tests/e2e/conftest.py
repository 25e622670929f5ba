"""Browser tests: real Chromium (Debian's /usr/bin/chromium) driven by Playwright against
the app served in this process by Werkzeug's threaded server.

The demo data is built once per run into a template SQLite file; every test gets a fresh
copy of it, so tests can change data freely. Mail goes to the in-memory outbox
(``outbox`` fixture), so a test can follow an emailed link.
"""

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from coop import create_app
from coop.demo import DEMO_PASSWORD, seed
from coop.extensions import db as _db
from coop.extensions import limiter, mail

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def db():
    """Browser tests talk to the live server's own database, not the rolled-back one."""
    yield None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def _server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e")
    template, live = folder / "template.sqlite", folder / "live.sqlite"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{live}", WTF_CSRF_ENABLED=True)
    with app.app_context():
        _db.create_all()
        seed()
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()
    shutil.copy(live, template)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}", template, live
    server.shutdown()


@pytest.fixture(autouse=True)
def live_server(_server):
    """The base URL of the app; every test starts from a fresh copy of the demo database."""
    app, url, template, live = _server
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    shutil.copy(template, live)
    mail.outbox.clear()
    with app.app_context():
        limiter.reset()
    return url


@pytest.fixture
def live_app(_server):
    """The served app, for reading the database from a test (inside app.app_context())."""
    return _server[0]


@pytest.fixture(scope="session")
def base_url(_server):
    return _server[1]


@pytest.fixture
def outbox():
    return mail.outbox


@pytest.fixture
def sign_in():
    def _sign_in(page, email, password=DEMO_PASSWORD):
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return _sign_in


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")`` saves artifacts/screenshots/name.png (full page)."""

    def _shot(page, name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


def pytest_collection_modifyitems(config, items):
    """The threaded server may drop a static file's handle when the browser hangs up
    early; that ResourceWarning says nothing about the app, so browser tests ignore it."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.filterwarnings("ignore::ResourceWarning"))
            item.add_marker(
                pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
            )
