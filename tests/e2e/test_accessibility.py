"""Browser: axe-core on every page each demo role reaches, and the main journeys from the
keyboard alone.

The crawl is generic: from where each role lands it follows every same-site link the
browser shows (breadth first, ``PER_KIND`` pages of each kind with ids collapsed, as
tests/crawl.py does), so a page added later is checked as soon as something links to it.
axe-core comes from the pinned PyPI package axe-playwright-python (its ``axe.min.js``),
evaluated in the page: nothing is fetched from a CDN.

The target is WCAG 2.2 AA: no violation of impact "serious" or "critical".
"""

import re
import time
from collections import Counter, deque
from importlib.resources import files
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from coop.extensions import db
from coop.programs.models import City, Cohort, CohortStatus
from tests.crawl import DOWNLOADS, kind

pytestmark = pytest.mark.e2e

AXE = (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}
#: Pages of one kind (ids collapsed) checked per role, and a bound on the whole crawl.
PER_KIND = 1
MAX_PAGES = 150

ROLES = {
    "anonymous": None,
    "staff": "staff@coop.example",
    "city staff": "nyc.staff@coop.example",
    "captain": "captain@coop.example",
    "participant": "participant@coop.example",
}

#: Links with a side effect or that leave the HTML pages.
SKIP = re.compile(r"^/(logout|static/)|/export|\.(csv|ics)$")


def _links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    out = []
    for href in hrefs:
        href = href.split("#", 1)[0]
        if not href.startswith("/") or href.startswith("//"):
            continue
        path = urlsplit(href).path
        if SKIP.search(path) or path.endswith(DOWNLOADS):
            continue
        out.append(href)
    return out


def axe_violations(page) -> list[str]:
    """The serious and critical WCAG 2.2 AA violations on the page, one line each."""
    page.evaluate(AXE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def crawl_with_axe(page, start: str) -> tuple[dict[str, list[str]], int]:
    """Visit from ``start``; returns {url: violations} for pages that have some, and the
    number of pages checked."""
    found: dict[str, list[str]] = {}
    seen = {start}
    queue = deque([start])
    kinds: Counter[str] = Counter()
    checked = 0
    while queue and checked < MAX_PAGES:
        url = queue.popleft()
        if kinds[kind(url)] >= PER_KIND:
            continue
        kinds[kind(url)] += 1
        try:
            response = page.goto(url)
        except PlaywrightError as exc:  # a download (a zip, a PDF) is not a page
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        checked += 1
        if problems := axe_violations(page):
            found[url] = problems
        for link in _links(page):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return found, checked


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_a_role_reaches_passes_axe(page, sign_in, role):
    started = time.perf_counter()
    if ROLES[role]:
        sign_in(page, ROLES[role])
    found, checked = crawl_with_axe(page, "/")
    elapsed = time.perf_counter() - started
    print(f"\n{role}: {checked} pages checked with axe in {elapsed:.1f}s")
    assert checked >= (3 if role == "anonymous" else 10), checked
    assert not found, "\n".join(f"{url}: {'; '.join(v)}" for url, v in found.items())


# -- Keyboard alone: Tab, Shift+Tab, Enter and Space ---------------------------------------


def tab_to(page, predicate: str, limit: int = 120) -> None:
    """Press Tab until the focused element satisfies ``predicate`` (a JS function of the
    element), failing after ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({predicate})(document.activeElement)"):
            return
    raise AssertionError(f"never reached by Tab: {predicate}")


def focused_is(label: str) -> str:
    """A predicate: the focused element is labelled (or reads) ``label``."""
    return (
        "el => { const l = el.labels && el.labels[0] ? el.labels[0].innerText : '';"
        " return [l, el.innerText, el.value, el.getAttribute('aria-label')]"
        f".some(t => t && t.trim() === {label!r}); }}"
    )


def test_applying_with_the_keyboard_alone(page, live_app):
    with live_app.app_context():
        cohort = db.session.scalar(
            sa.select(Cohort)
            .join(City)
            .where(City.name == "Los Angeles", Cohort.status == CohortStatus.RECRUITING)
        )
        cohort_id = cohort.id
        db.session.remove()
    page.goto(f"/apply/{cohort_id}")
    for label, text in [
        ("Full name", "Keyboard Kim"),
        ("Email", "keyboard.kim@example.org"),
        ("College", "Cal State LA"),
        ("Graduation year", "2024"),
    ]:
        tab_to(page, focused_is(label))
        page.keyboard.type(text)
    # Radio groups: Tab reaches the group, Space picks the focused answer.
    for group in ("first-generation", "low-income"):
        tab_to(
            page,
            f"el => el.type === 'radio' && el.closest('fieldset').innerText.includes({group!r})",
        )
        page.keyboard.press("Space")
    tab_to(page, focused_is("Current job title"))
    page.keyboard.type("Retail associate")
    tab_to(page, "el => el.name === 'salary_band'")
    page.keyboard.type("$25")  # a focused list picks the option typed
    expect(page.get_by_label("Annual salary")).to_have_value("25-35k")
    # Tab reaches the group at its first answer; Space picks it. Its follow-up question
    # is the next stop, and the other answers' follow-ups are hidden (skipped by Tab).
    tab_to(page, "el => el.type === 'radio' && el.name === 'heard_via'")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "referrer"
    page.keyboard.type("Carmen Captain")
    expect(page.get_by_label("The community partner")).to_be_hidden()
    expect(page.get_by_label("Where did you hear about us? (optional)")).to_be_hidden()
    tab_to(page, focused_is("I have read and agree to the privacy notice."))
    page.keyboard.press("Space")
    tab_to(page, focused_is("Send my application"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you for applying")).to_be_visible()


def test_roll_call_with_the_keyboard_alone(page, sign_in):
    sign_in(page, "captain@coop.example")
    page.goto("/roll-call")
    tab_to(page, "el => el.tagName === 'A' && /^(Take roll call|View)/.test(el.innerText.trim())")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"^Roll call:"))).to_be_visible()
    tab_to(page, focused_is("Mark everyone present"))
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"Roll call saved"))).to_be_visible()
    for radio in page.get_by_role("radio", name="Present").all():
        expect(radio).to_be_checked()


def test_a_check_in_with_the_keyboard_alone(page, sign_in):
    sign_in(page, "captain@coop.example")
    page.goto("/coaching/")
    tab_to(page, "el => el.tagName === 'A' && /^Log check-in/.test(el.innerText.trim())")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check-in with")
    tab_to(page, "el => el.name === 'minutes'")
    page.keyboard.press("Control+A")
    page.keyboard.type("25")
    tab_to(page, "el => el.type === 'checkbox' && el.name === 'topics'")
    page.keyboard.press("Space")
    tab_to(page, "el => el.name === 'notes'")
    page.keyboard.type("Talked through two applications.")
    tab_to(page, "el => el.type === 'submit'")
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"Check-in with .* saved\."))).to_be_visible()
