"""Registries that let each domain add itself to the shared layout without editing it.

- ``nav_item`` adds a link to the top navigation for some roles.
- ``cohort_tab`` adds a link to the staff cohort page's tabs.
- ``home_for`` names the page a role lands on after signing in.
"""

from dataclasses import dataclass

from flask import g, has_request_context, url_for
from sqlalchemy.exc import SQLAlchemyError


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: frozenset[str]
    order: int
    #: Shown only when ``when(user)`` holds (None: to every user of ``roles``).
    when: object = None


NAV: list[NavItem] = []
COHORT_TABS: list[NavItem] = []
HOMES: dict[str, str] = {}


def _add(registry: list[NavItem], label, endpoint, roles, order, when=None):
    item = NavItem(label, endpoint, frozenset(str(r) for r in roles), order, when)
    if item not in registry:
        registry.append(item)
        registry.sort(key=lambda i: (i.order, i.label))


def nav_item(label: str, endpoint: str, roles, order: int = 50, when=None) -> None:
    _add(NAV, label, endpoint, roles, order, when)


def cohort_tab(label: str, endpoint: str, order: int = 50) -> None:
    """A tab on the staff cohort page; ``endpoint`` takes ``cohort_id``."""
    _add(COHORT_TABS, label, endpoint, {"staff"}, order)


#: ``{endpoint: counter}``: a menu item showing a number (``counter(user, cap)``, one query).
BADGES: dict[str, object] = {}

#: A badge counts up to this many and then shows "99+": the count runs on every page, and
#: counting every waiting row made it grow with the program (0.3 ms at 10,000
#: participants, 1.7 ms at 100,000).
BADGE_CAP = 100


def nav_badge(endpoint: str, counter) -> None:
    """Show ``counter(user, cap)`` (the number waiting, at most ``cap``: one cheap query)
    beside the menu item of ``endpoint``, on every page of the people who see that item."""
    BADGES[endpoint] = counter


def badge_text(n: int) -> str:
    """What a badge shows: the number, or "99+" from ``BADGE_CAP`` on."""
    return str(n) if n < BADGE_CAP else f"{BADGE_CAP - 1}+"


def badges_for(user) -> dict[str, int]:
    """``{endpoint: number}`` of the menu's badges for ``user``; counted once per request."""
    if not BADGES or not getattr(user, "is_authenticated", False):
        return {}
    if "nav_badges" not in g:
        g.nav_badges = {
            item.endpoint: BADGES[item.endpoint](user, BADGE_CAP)
            for item in nav_for(user)
            if item.endpoint in BADGES
        }
    return g.nav_badges


def badges_context() -> dict:
    """The context processor giving templates ``nav_badges`` for the signed-in person."""
    from flask_login import current_user

    if not has_request_context():
        return {"nav_badges": {}}
    try:
        return {"nav_badges": badges_for(current_user)}
    except SQLAlchemyError:  # the error page of a database failure still renders
        return {"nav_badges": {}}


def home_for(role: str, endpoint: str) -> None:
    HOMES[str(role)] = endpoint


def nav_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [i for i in NAV if str(user.role) in i.roles and (i.when is None or i.when(user))]


#: Menu headings by blueprint, used when a role has too many items for one flat row.
GROUPS = {
    "programs": "Program",
    "auth": "Program",
    "enrollment": "Program",
    "coaching": "Coaching",
    "sessions": "Sessions",
    "referrals": "Jobs",
    "hiring": "Jobs",
    "reports": "Outcomes",
    "cloning": "Program",
    "placement": "Program",
    "captain_requests": "Coaching",
    "pairings": "Coaching",
    "plans": "Coaching",
    "support": "Coaching",
    "risk": "Coaching",
}
FLAT_LIMIT = 6


def menu_for(user) -> list[tuple[str, list[NavItem]]]:
    """The navigation as (heading, items) pairs: one pair per item while they fit in a
    row, else grouped by domain (a group of one is shown as a plain link)."""
    items = nav_for(user)
    if len(items) <= FLAT_LIMIT:
        return [(i.label, [i]) for i in items]
    menu: dict[str, list[NavItem]] = {}
    for item in items:
        heading = GROUPS.get(item.endpoint.split(".", 1)[0], item.label)
        menu.setdefault(heading, []).append(item)
    return [
        (heading, group) if len(group) > 1 else (group[0].label, group)
        for heading, group in menu.items()
    ]


#: The "role" of a visitor who is not signed in, for ``home_for``.
ANONYMOUS = "anonymous"


def home_url(user) -> str:
    if not user.is_authenticated:
        return url_for(HOMES.get(ANONYMOUS, "auth.login"))
    endpoint = HOMES.get(str(user.role), "auth.account")
    return url_for(endpoint)


# -- panels: sections that higher domains add to a page a lower domain owns ------------


@dataclass(frozen=True)
class Panel:
    page: str
    template: str
    loader: object
    order: int


PANELS: list[Panel] = []

#: The pages that show panels: the participant's cohort page (``loader(user, cohort)``)
#: and the captain's home page (``loader(user, current)``, ``current`` being the captain's
#: current team entries).
PANEL_PAGES = {"portal.cohort", "coaching.captain_home"}
#: Staff coverage, all cities (``loader(user, None)``) or one cohort's tab (``loader(user,
#: cohort)``): what else waits for staff besides flagged check-ins.
PANEL_PAGES |= {"coaching.coverage", "coaching.cohort_coverage"}
#: The check-in form (``loader(user, (cohort, participant))``): its panels render inside
#: the form, and what they submit reaches ``events.checkin_saved`` receivers.
PANEL_PAGES.add("coaching.checkin")


def panel(page: str, template: str, loader, order: int = 50) -> None:
    """Add a section to ``page``: ``loader(user, subject)`` returns the template's context
    (a dict), or None to show nothing. The loader runs a fixed number of queries, eager-
    loading what its template shows; the template receives the dict as ``panel``."""
    if page not in PANEL_PAGES:
        raise ValueError(f"{page!r} shows no panels; one of {sorted(PANEL_PAGES)}")
    item = Panel(page, template, loader, order)
    if item not in PANELS:
        PANELS.append(item)
        PANELS.sort(key=lambda p: (p.order, p.template))


def panels_for(page: str, user, subject) -> list[tuple[str, dict]]:
    """``(template, context)`` for each panel of ``page`` that has something to show."""
    shown = []
    for item in PANELS:
        if item.page != page:
            continue
        context = item.loader(user, subject)
        if context is not None:
            shown.append((item.template, context))
    return shown
