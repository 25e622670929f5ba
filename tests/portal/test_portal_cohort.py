"""The participant's cohort page: next session, schedule in their zone, captains, pod,
attendance, calendar link; other cohorts are invisible."""

import re
from datetime import timedelta

import pytest

from coop.auth.models import User
from coop.auth.passwords import hash_password
from coop.core.models import AuditEvent
from coop.db import utcnow
from coop.extensions import db
from coop.sessions.models import SessionStatus


@pytest.fixture
def pod(build, factory):
    """Pat's cohort (New York): Pat and two pod peers with Cleo; another pod with Dan."""
    cohort = build.cohort(
        "America/New_York",
        name="Data Analytics · Fall 2026",
        video_link="https://meet.example.org/da",
    )
    pat = factory.user("participant", name="Pat Portal", timezone="America/Los_Angeles")
    factory.enrollment(cohort=cohort, user=pat)
    sharer, private = build.participants(cohort, 2)
    sharer.name, private.name = "Sia Sharer", "Pia Private"
    sharer.profile.share_email = True
    sharer.profile.share_phone = True
    sharer.profile.phone = "(555) 0101"
    private.profile.phone = "(555) 0102"
    (elsewhere,) = build.participants(cohort, 1, name="Otto Otherpod")
    withdrawn = build.participants(cohort, 1, stage="withdrawn", name="Will Withdrawn")[0]
    cleo, _ = build.captain(
        cohort, pod=[pat, sharer, private, withdrawn], is_lead=True, name="Cleo Captain"
    )
    cleo.profile.share_email = True
    cleo.profile.phone = "(555) 0199"
    dan, _ = build.captain(cohort, pod=[elsewhere], name="Dan Quiet")
    dan.profile.share_phone = True
    dan.profile.phone = "(555) 0198"
    former, assignment = build.captain(cohort, name="Fay Former")
    assignment.ended_at = utcnow()
    db.session.flush()
    return cohort, pat


def page_of(client, url="/my-cohort"):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_participant_lands_on_my_cohort(client, pod):
    cohort, pat = pod
    pat.password_hash = hash_password("correct horse battery")
    db.session.commit()
    response = client.post("/login", data={"email": pat.email, "password": "correct horse battery"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/my-cohort"
    page = page_of(client)
    assert "Data Analytics · Fall 2026" in page
    assert re.search(
        r'class="nav-link active"\s+aria-current="page"\s+href="/my-cohort">My cohort<', page
    )


def test_header_captains_and_pod_show_only_shared_details(client, login_as, pod):
    cohort, pat = pod
    login_as(pat)
    page = page_of(client)
    assert cohort.name in page
    assert f"{cohort.start_date:%-d %b %Y}" in page and f"{cohort.end_date:%-d %b %Y}" in page
    # Captains: Cleo shares her email, not her phone; Dan his phone only; Fay stepped down.
    assert "Cleo Captain" in page and "Dan Quiet" in page and "Fay Former" not in page
    cleo, dan = (
        db.session.scalar(db.select(User).where(User.name == name))
        for name in ("Cleo Captain", "Dan Quiet")
    )
    assert f'href="mailto:{cleo.email}"' in page
    assert f'href="mailto:{dan.email}"' not in page
    assert "(555) 0199" not in page
    assert "(555) 0198" in page
    # Pod: Sia shares both, Pia nothing; Otto is in another pod; Will withdrew.
    sia, pia = (
        db.session.scalar(db.select(User).where(User.name == name))
        for name in ("Sia Sharer", "Pia Private")
    )
    assert "Sia Sharer" in page and "(555) 0101" in page and f"mailto:{sia.email}" in page
    assert "Pia Private" in page and "(555) 0102" not in page and pia.email not in page
    assert "Otto Otherpod" not in page and "Will Withdrawn" not in page


def test_next_session_and_join_link_window(client, login_as, pod, build):
    cohort, pat = pod
    build.session(cohort, hours_from_now=-48, title="Long ago")
    build.session(cohort, hours_from_now=1, title="Called off", status=SessionStatus.CANCELLED)
    soon = build.session(cohort, hours_from_now=2, title="Networking night")
    build.session(cohort, hours_from_now=50, title="Later on")
    login_as(pat)
    page = page_of(client)
    next_card = page[page.index('id="next-session"') : page.index('<h2 class="h5">Schedule')]
    assert "Networking night" in next_card
    assert "The join link opens 15 minutes before the start." in next_card
    assert "https://meet.example.org/da" not in next_card
    # 14 minutes before the start the link is live.
    soon.starts_at = utcnow() + timedelta(minutes=14)
    db.session.commit()
    page = page_of(client)
    next_card = page[page.index('id="next-session"') : page.index('<h2 class="h5">Schedule')]
    assert 'href="https://meet.example.org/da"' in next_card
    assert "Join the session" in next_card
    # While it runs it is "happening now"; its own link wins over the cohort's.
    soon.starts_at = utcnow() - timedelta(minutes=30)
    soon.video_link = "https://meet.example.org/special"
    db.session.commit()
    page = page_of(client)
    assert "Happening now" in page
    assert 'href="https://meet.example.org/special"' in page


def test_schedule_in_own_zone_across_dst(client, login_as, pod, build):
    """A London viewer of a New York cohort: the two zones change on different dates."""
    cohort, pat = pod
    pat.timezone = "Europe/London"
    build.local_session(cohort, 2026, 3, 5, title="Both standard")  # EST / GMT
    build.local_session(cohort, 2026, 3, 10, title="US summer only")  # EDT / GMT
    build.local_session(cohort, 2026, 3, 31, title="Both summer")  # EDT / BST
    build.local_session(cohort, 2026, 10, 27, title="UK back first")  # EDT / GMT
    build.local_session(cohort, 2026, 11, 3, title="Both back")  # EST / GMT
    login_as(pat)
    page = page_of(client)
    for local in [
        "Thu 5 Mar 2026, 23:30 GMT",
        "Tue 10 Mar 2026, 22:30 GMT",
        "Tue 31 Mar 2026, 23:30 BST",
        "Tue 27 Oct 2026, 22:30 GMT",
        "Tue 3 Nov 2026, 23:30 GMT",
    ]:
        assert local in page
    assert page.count("(18:30 EST cohort time)") == 2
    assert page.count("(18:30 EDT cohort time)") == 3


def test_same_zone_shows_one_time(client, login_as, pod, build):
    cohort, pat = pod
    pat.timezone = None
    build.local_session(cohort, 2026, 3, 10, title="Here")
    login_as(pat)
    page = page_of(client)
    assert "Tue 10 Mar 2026, 18:30 EDT" in page
    assert "cohort time" not in page


def test_own_attendance_record(client, login_as, pod, build):
    cohort, pat = pod
    statuses = ["present", "late", "absent", "absent"]
    for n, status in enumerate(statuses):
        s = build.session(cohort, hours_from_now=-24 * (n + 1), title=f"Held {n}")
        build.attendance(s, pat, status)
    login_as(pat)
    page = page_of(client)
    assert "50%" in page
    assert "You came to 2 of 4 sessions held so far" in page
    assert page.count('badge text-bg-danger">absent') == 2


def test_calendar_link_on_the_page(client, login_as, pod):
    cohort, pat = pod
    login_as(pat)
    assert "Create a calendar link" in page_of(client)
    assert client.post("/calendar/mine").status_code == 302
    page = page_of(client)
    assert "/calendar/" in page and ".ics" in page
    assert "Make a new link" in page
    assert db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "calendar.create", AuditEvent.actor_id == pat.id
        )
    )


def test_other_cohorts_sessions_and_rosters_are_404(client, login_as, pod, build, factory):
    cohort, pat = pod
    other = build.cohort()
    other_session = build.session(other, hours_from_now=5)
    left = build.cohort()
    factory.enrollment(cohort=left, user=pat, stage="withdrawn")
    left_session = build.session(left, hours_from_now=5)
    own_session = build.session(cohort, hours_from_now=5)
    login_as(pat)
    for url in [
        f"/my-cohort/{other.id}",
        f"/my-cohort/{other.id}/people",
        f"/my-cohort/sessions/{other_session.id}",
        f"/my-cohort/{left.id}",
        f"/my-cohort/{left.id}/people",
        f"/my-cohort/sessions/{left_session.id}",
        "/my-cohort/999999",
        "/my-cohort/sessions/999999",
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        f"/my-cohort/{cohort.id}",
        f"/my-cohort/{cohort.id}/people",
        f"/my-cohort/sessions/{own_session.id}",
    ]:
        assert client.get(url).status_code == 200, url


def test_past_cohort_stays_visible_after_graduating(client, login_as, build, factory):
    past = build.cohort(name="Spring 2025")
    current = build.cohort(name="Fall 2026")
    pat = factory.user("participant")
    factory.enrollment(cohort=past, user=pat, stage="graduated")
    factory.enrollment(cohort=current, user=pat)
    login_as(pat)
    page = page_of(client)
    assert '<h1 class="h3 mb-0">Fall 2026</h1>' in page
    assert f'href="/my-cohort/{past.id}"' in page
    assert "Spring 2025" in page_of(client, f"/my-cohort/{past.id}")


def test_no_cohort_yet(client, login_as, factory, build):
    pat = factory.user("participant")
    factory.enrollment(cohort=build.cohort(), user=pat, stage="applied")
    login_as(pat)
    assert "You are not enrolled in a cohort yet" in page_of(client)


def test_roster_shows_names_and_only_pod_contacts(client, login_as, pod):
    cohort, pat = pod
    login_as(pat)
    page = page_of(client, f"/my-cohort/{cohort.id}/people")
    assert "Otto Otherpod" in page and "Sia Sharer" in page and "Pat Portal" in page
    assert "Will Withdrawn" not in page
    assert "(555) 0101" in page  # Sia, pod peer, shares
    assert "(555) 0102" not in page


def test_session_page(client, login_as, pod, build):
    cohort, pat = pod
    s = build.session(
        cohort, hours_from_now=-3, title="Portfolio review", agenda="Bring <b>work</b>"
    )
    build.attendance(s, pat, "late")
    login_as(pat)
    page = page_of(client, f"/my-cohort/sessions/{s.id}")
    assert "Portfolio review" in page
    assert "Bring &lt;b&gt;work&lt;/b&gt;" in page
    assert 'text-bg-warning">late' in page
    assert "Join the session" not in page


def test_a_cancelled_session_says_so_in_words(client, login_as, pod, build):
    from coop.sessions.models import SessionStatus

    cohort, pat = pod
    s = build.session(
        cohort, hours_from_now=24, title="Cancelled one", status=SessionStatus.CANCELLED
    )
    login_as(pat)
    page = page_of(client, f"/my-cohort/sessions/{s.id}")
    assert "This session is cancelled: there is nothing to join." in page
    assert "Join the session" not in page


@pytest.mark.parametrize("size", [3, 30])
def test_page_query_count_is_fixed(client, login_as, build, factory, count_queries, size):
    cohort = build.cohort()
    pat = factory.user("participant")
    factory.enrollment(cohort=cohort, user=pat)
    peers = build.participants(cohort, size)
    build.captain(cohort, pod=[pat, *peers], is_lead=True)
    for _ in range(size // 3):
        build.captain(cohort)
    for n in range(size):
        s = build.session(cohort, hours_from_now=24 * (n - size // 2))
        if n < size // 2:
            build.attendance(s, pat, "present")
    login_as(pat)
    counts = {}
    for url in ["/my-cohort", f"/my-cohort/{cohort.id}", f"/my-cohort/{cohort.id}/people"]:
        client.get(url)  # the test's own session state out of the way
        with count_queries() as q:
            assert client.get(url).status_code == 200
        counts[url.replace(str(cohort.id), "<id>")] = q.count
    # 9 of the page; the hiring, announcements and captain-requests panels one each,
    # assessments two, plans and support one each, the talent pool two.
    assert counts == {"/my-cohort": 18, "/my-cohort/<id>": 18, "/my-cohort/<id>/people": 6}
