"""``make bench``: every everyday page's throughput under gunicorn, beside a bare app.

1. Seeds a throw-away database with the demo data (SQLite in a temporary folder, or the
   empty PostgreSQL database in ``PG_URL``; its tables are dropped at the end).
2. Serves it with gunicorn (2 sync workers, 127.0.0.1 only), and the bare app of
   ``benchmarks/bare.py`` (a ``/hello`` route and a ``/page`` of 50 ORM rows) beside it.
3. Signs in as each demo role, through the sign-in form, keeping one User-Agent
   (``session_protection="strong"`` ties the session to it).
4. Loads each page for a few seconds with wrk (Debian package ``wrk``) if it is
   installed, else with a small threaded Python load generator, and prints req/s, p50,
   p99, the ratio to the app's trivial route (``/healthz``) and to the bare 50-row page,
   and, from one render in-process, the server time, queries and bytes.
5. Prints the outcomes dashboard's server time at each of ``BENCH_SCALES``.

The machine's other load makes absolute figures noisy; the ratios to the trivial route and
to the bare page, measured in the same run, are what to compare between runs.

Knobs (environment): ``BENCH_PARTICIPANTS`` (10000), ``BENCH_DURATION`` seconds per page
(5), ``BENCH_CONNECTIONS`` (16), ``BENCH_SCALES`` ("10000 100000"; "" skips),
``BENCH_PORT`` (5110: coop, +1 the bare app), ``BENCH_PAGES`` (labels to keep, comma
separated), ``BENCH_LOAD=python`` (use the Python generator even with wrk), ``PG_URL``.
"""

import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

from benchmarks.dashboard import counting

ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "coop-bench/1 (wrk)"
PASSWORD = "coop-demo-2026"  # noqa: S105 - the demo accounts' published password
ROLES = {
    "staff": "staff@coop.example",
    "captain": "captain@coop.example",
    "participant": "participant@coop.example",
}

#: (label, role, path): the everyday pages of the issue, then the dashboard.
PAGES = [
    ("cohort list", "staff", "/cohorts"),
    ("cohort page", "staff", "/cohorts/{cohort}"),
    ("roster", "staff", "/cohorts/{cohort}/roster"),
    ("application queue", "staff", "/cohorts/{cohort}/applications"),
    ("roll call", "staff", "/sessions/{session}/roll-call"),
    ("attendance", "staff", "/cohorts/{cohort}/attendance"),
    ("captain home", "captain", "/coaching/"),
    ("check-in form", "captain", "/coaching/cohorts/{cohort}/participants/{member}/checkins/new"),
    ("My cohort", "participant", "/my-cohort/{cohort}"),
    ("openings", "participant", "/openings"),
    ("referrals list", "staff", "/referrals"),
    ("people list", "staff", "/people"),
    ("outcomes dashboard", "staff", "/reports/outcomes"),
    ("dashboard, one city", "staff", "/reports/outcomes?city={city}"),
]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


@dataclass
class Load:
    rps: float
    p50: float
    p99: float
    errors: int


# -- the database ----------------------------------------------------------------------


def make_app(url: str):
    from coop import create_app

    return create_app(
        "development", DEBUG=False, SQLALCHEMY_DATABASE_URI=url, MAIL_BACKEND="memory"
    )


def seed_database(url: str, participants: int) -> tuple[float, dict]:
    """Create the tables, seed, ANALYZE (PostgreSQL); returns the seconds and the ids."""
    from coop.demo import seed
    from coop.extensions import db

    app = make_app(url)
    with app.app_context():
        if sa.inspect(db.engine).get_table_names():
            raise SystemExit(f"{url} is not empty: give an empty database")
        db.create_all()
        start = time.perf_counter()
        seed(participants=participants)
        db.session.commit()
        seconds = time.perf_counter() - start
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        ids = find_ids(db)
        db.session.remove()
        db.engine.dispose()
    return seconds, ids


def find_ids(db) -> dict:
    """The demo participant's active cohort, its latest past session, a member of the
    demo captain's pod there, and New York."""
    q = lambda sql, **kw: db.session.scalar(sa.text(sql), kw)  # noqa: E731
    pat = q("SELECT id FROM users WHERE email = 'participant@coop.example'")
    captain = q("SELECT id FROM users WHERE email = 'captain@coop.example'")
    cohort = q(
        "SELECT c.id FROM cohorts c JOIN enrollments e ON e.cohort_id = c.id "
        "WHERE e.user_id = :u AND c.status = 'active' ORDER BY c.start_date DESC",
        u=pat,
    )
    session_id = q(
        "SELECT id FROM virtual_sessions WHERE cohort_id = :c AND starts_at < :now "
        "ORDER BY starts_at DESC",
        c=cohort,
        now=_now(),
    )
    member = q(
        "SELECT p.participant_id FROM pod_memberships p JOIN captain_assignments a "
        "ON a.id = p.assignment_id WHERE a.captain_id = :cap AND p.cohort_id = :c "
        "ORDER BY p.participant_id",
        cap=captain,
        c=cohort,
    )
    city = q("SELECT id FROM cities WHERE name = 'New York'")
    return {"cohort": cohort, "session": session_id, "member": member or pat, "city": city}


def _now():
    from coop.core import clock

    return clock.now()


def drop_tables(url: str) -> None:
    from coop.extensions import db

    app = make_app(url)
    with app.app_context():
        db.drop_all()
        db.session.execute(sa.text("DROP TABLE IF EXISTS bare_items"))
        db.session.commit()
        db.engine.dispose()


# -- signing in ------------------------------------------------------------------------


class Browser:
    """A keep-alive HTTP client on 127.0.0.1 with one cookie jar and one User-Agent."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"User-Agent": USER_AGENT}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return response.status, response.getheader("Location"), content

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def sign_in(port: int, email: str) -> Browser:
    browser = Browser(port)
    status, _, page = browser.request("GET", "/login")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    if status != 200 or not token:
        raise SystemExit(f"no sign-in form on port {port} ({status})")
    status, _, _ = browser.request(
        "POST",
        "/login",
        {"csrf_token": token.group(1).decode(), "email": email, "password": PASSWORD},
    )
    if status != 302:
        raise SystemExit(f"could not sign in as {email} ({status})")
    return browser


# -- load ------------------------------------------------------------------------------


def _ms(text: str | None) -> float:
    """wrk's ``12.5ms`` in milliseconds (0 for anything else: no request completed)."""
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text or "")
    if not found:
        return 0.0
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _find(pattern: str, text: str) -> str | None:
    found = re.search(pattern, text)
    return found.group(1) if found else None


def wrk(port: int, path: str, cookie: str | None, seconds: int, connections: int) -> Load:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    command += ["-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(  # noqa: S603 - wrk, on loopback
        command, capture_output=True, text=True, timeout=seconds + 60
    ).stdout
    rps = float(_find(r"Requests/sec:\s+([\d.]+)", out) or 0)
    p50 = _ms(_find(r"50%\s+(\S+)", out))
    p99 = _ms(_find(r"99%\s+(\S+)", out))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Load(rps, p50, p99, errors)


def python_load(port: int, path: str, cookie: str | None, seconds: int, connections: int) -> Load:
    """A bounded threaded generator: ``connections`` keep-alive clients for ``seconds``
    (and at most 100,000 requests in all)."""
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.perf_counter() < deadline and len(latencies) + len(mine) < 100_000:
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append((time.perf_counter() - start) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if not latencies:
        return Load(0.0, 0.0, 0.0, errors[0])
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return Load(len(latencies) / elapsed, statistics.median(latencies), p99, errors[0])


def load(port, path, cookie, seconds, connections) -> Load:
    use_wrk = shutil.which("wrk") and os.environ.get("BENCH_LOAD") != "python"
    return (wrk if use_wrk else python_load)(port, path, cookie, seconds, connections)


# -- servers ---------------------------------------------------------------------------


def serve(module: str, port: int, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "sync"]
    command += ["-b", f"127.0.0.1:{port}", "--log-level", "warning", module]
    process = subprocess.Popen(  # noqa: S603 - gunicorn, on loopback
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    probe = "/healthz" if "serve" in module else "/hello"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", probe)
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    stop(process)
    raise SystemExit(f"{module} did not start on port {port}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# -- in-process figures ----------------------------------------------------------------


def server_figures(url: str, pages: list[tuple[str, str, str]], runs: int = 5) -> dict:
    """label -> (median server ms, queries, bytes), through the Flask test client."""
    from coop.extensions import db

    app = make_app(url)
    clients = {}
    out = {}
    for label, role, path in pages:
        if role not in clients:
            client = app.test_client()
            client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
            page = client.get("/login").data
            token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            client.post(
                "/login",
                data={"csrf_token": token.decode(), "email": ROLES[role], "password": PASSWORD},
            )
            clients[role] = client
        client = clients[role]
        first = client.get(path)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - start) * 1000)
        with app.app_context():
            engine = db.engine
        with counting(engine) as statements:
            client.get(path)
        out[label] = (statistics.median(times), len(statements), len(first.data), first.status_code)
    with app.app_context():
        db.engine.dispose()
    return out


# -- the run ---------------------------------------------------------------------------


def pages_bench(url: str, participants: int, tmp: Path) -> tuple[float, dict]:
    seconds = env_int("BENCH_DURATION", 5)
    connections = env_int("BENCH_CONNECTIONS", 16)
    port = env_int("BENCH_PORT", 5110)
    keep = [p.strip() for p in os.environ.get("BENCH_PAGES", "").split(",") if p.strip()]

    seed_s, ids = seed_database(url, participants)
    dialect = sa.make_url(url).get_backend_name()
    print(f"coop bench: {dialect}, {participants:,} participants, seed {seed_s:.1f} s")
    pages = [(label, role, path.format(**ids)) for label, role, path in PAGES]
    if keep:
        pages = [p for p in pages if p[0] in keep]
    figures = server_figures(url, pages)

    bare_url = url if dialect == "postgresql" else f"sqlite:///{tmp / 'bare.sqlite'}"
    os.environ["BARE_DATABASE_URL"] = bare_url
    from benchmarks import bare

    bare.seed()
    coop_server = serve("benchmarks.serve:app", port, {"BENCH_DATABASE_URL": url})
    bare_server = serve("benchmarks.bare:app", port + 1, {"BARE_DATABASE_URL": bare_url})
    try:
        browsers = {role: sign_in(port, email) for role, email in ROLES.items()}
        tool = (
            "wrk" if shutil.which("wrk") and os.environ.get("BENCH_LOAD") != "python" else "python"
        )
        print(
            f"  load: {tool}, {connections} connections, {seconds} s per page, gunicorn 2 sync workers"
        )
        # The machine's load drifts during a run (other people's tests), so each page is
        # measured right after the bare page and the trivial route, and compared with
        # those neighbours rather than with figures taken minutes earlier.
        rows = []
        warm = 1
        for label, target, path, cookie in [
            ("bare /hello", port + 1, "/hello", None),
            ("bare /page (50 rows)", port + 1, "/page", None),
            ("trivial /healthz", port, "/healthz", None),
            ("trivial /healthz, signed in", port, "/healthz", browsers["staff"].cookie_header),
        ]:
            load(target, path, cookie, warm, connections)
            result = load(target, path, cookie, seconds, connections)
            rows.append((label, result, None, None, None))
        half = max(1, seconds // 2)
        for label, role, path in pages:
            cookie = browsers[role].cookie_header
            bare_now = load(port + 1, "/page", None, half, connections)
            trivial_now = load(port, "/healthz", None, half, connections)
            # A page slower than 100 ms gets 2 connections: 16 would leave a queue of
            # abandoned requests behind each warm-up, and wrk would time out on them.
            slow = figures[label][0] > 100
            conns = 2 if slow else connections
            load(port, path, cookie, warm, conns)
            result = load(port, path, cookie, seconds, conns)
            shown = f"{label} (2 conns)" if slow else label
            rows.append((shown, result, figures[label], trivial_now.rps, bare_now.rps))
            browsers["staff"].request("GET", "/healthz")  # nothing else keeps staff awake
    finally:
        stop(coop_server)
        stop(bare_server)

    head = (
        f"  {'page':<32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'/triv':>6} {'/bare':>6} "
        f"{'srv ms':>7} {'q':>3} {'KB':>7} {'errs':>5}"
    )
    print(head)
    print("  " + "-" * (len(head) - 2))
    for label, result, fig, trivial, bare_page in rows:
        trivial = trivial or rows[2][1].rps or 1
        bare_page = bare_page or rows[1][1].rps or 1
        extra = " " * 19
        if fig:
            ms, queries, size, status = fig
            extra = f"{ms:7.1f} {queries:3d} {size / 1024:7.1f}"
            if status != 200:
                extra += f" HTTP {status}"
        print(
            f"  {label:<32} {result.rps:8.1f} {result.p50:8.1f} {result.p99:8.1f} "
            f"{result.rps / trivial:6.3f} {result.rps / bare_page:6.2f} {extra} {result.errors:5d}"
        )
    print(
        "  /triv, /bare: req/s over the trivial route's (/healthz, anonymous) and over the bare"
        " 50-row page's, each measured just before the page in the same run; srv ms, q, KB:"
        " one render through the Flask test client (median of 5), its queries and size"
    )
    return seed_s, figures


def dashboard_scale(url: str, participants: int, done: tuple[float, dict] | None = None) -> None:
    """The dashboard's server time at ``participants`` (``done``: the figures of the page
    bench, when it ran at this size)."""
    if done:
        seed_s, all_figures = done
        figures = {
            "unfiltered": all_figures["outcomes dashboard"],
            "one city": all_figures["dashboard, one city"],
        }
    else:
        seed_s, ids = seed_database(url, participants)
        pages = [
            ("unfiltered", "staff", "/reports/outcomes"),
            ("one city", "staff", f"/reports/outcomes?city={ids['city']}"),
        ]
        figures = server_figures(url, pages, runs=5)
    dialect = sa.make_url(url).get_backend_name()
    parts = []
    for label, (ms, queries, size, status) in figures.items():
        parts.append(f"{label} {ms:.0f} ms, {size / 1024:.0f} KB, {queries} queries")
        if status != 200:
            parts[-1] += f" (HTTP {status})"
    print(f"  dashboard @ {participants:,} ({dialect}, seed {seed_s:.0f} s): " + "; ".join(parts))


def main() -> None:
    participants = env_int("BENCH_PARTICIPANTS", 10_000)
    scales = [int(s) for s in os.environ.get("BENCH_SCALES", "10000 100000").split()]
    pg_url = os.environ.get("PG_URL", "").strip()
    with tempfile.TemporaryDirectory(prefix="coop-bench-") as tmp_name:
        tmp = Path(tmp_name)
        counter = iter(range(100))

        def fresh() -> str:
            return pg_url or f"sqlite:///{tmp / f'bench{next(counter)}.sqlite'}"

        url = fresh()
        try:
            done = pages_bench(url, participants, tmp)
        finally:
            if pg_url:
                drop_tables(pg_url)
        if scales:
            print("  outcomes dashboard, server time (median of 5 through the test client):")
        for n in scales:
            if n == participants and "outcomes dashboard" in done[1]:
                dashboard_scale(url, n, done)
                continue
            url = fresh()
            try:
                dashboard_scale(url, n)
            finally:
                if pg_url:
                    drop_tables(pg_url)
                else:
                    Path(sa.make_url(url).database).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
