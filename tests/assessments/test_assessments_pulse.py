"""Pulse checks: answering, asking for help (the captain's home and staff coverage show
it, only to the right people), resolving it with a note, the cadence and response rates."""

from datetime import timedelta

import sqlalchemy as sa

from coop.assessments import queries
from coop.assessments.models import PulseResponse, PulseSetting, pulse_period
from coop.core import clock
from coop.extensions import db


def pulses() -> list[PulseResponse]:
    return db.session.scalars(sa.select(PulseResponse).order_by(PulseResponse.id)).all()


def pod(assess, factory, n=2, **kw):
    cohort = assess.active_cohort(weeks_in=3, **kw)
    people = assess.participants(cohort, n)
    captain, assignment = assess.captain(cohort, pod=people, name="Cleo Captain")
    return cohort, people, captain, assignment


def test_participant_asks_for_help_and_the_captain_sees_it(client, login_as, factory, assess):
    cohort, (pat, sam), captain, _ = pod(assess, factory)
    login_as(pat)
    url = f"/assessments/my/{cohort.id}/pulse"
    page = client.get(url).get_data(as_text=True)
    assert "<legend" in page and "I could use help with something" in page
    # "Yes" without saying what with: refused, nothing written
    refused = client.post(url, data={"confidence": "2", "workload": "5", "needs_help": "1"})
    assert "Say what you could use help with." in refused.get_data(as_text=True)
    assert pulses() == []
    bad = client.post(url, data={"confidence": "9", "workload": "5", "needs_help": "0"})
    assert bad.status_code == 200 and pulses() == []
    sent = client.post(
        url,
        data={"confidence": "2", "workload": "5", "needs_help": "1", "help_with": "My laptop"},
    )
    assert sent.status_code == 302
    [pulse] = pulses()
    assert (pulse.confidence, pulse.workload, pulse.needs_help) == (2, 5, True)
    assert pulse.period_start == cohort.start_date + timedelta(days=14)  # week 3: period 2
    again = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "answered this pulse check already" in again
    assert "Answer the pulse check" not in client.get("/my-cohort").get_data(as_text=True)

    login_as(captain)
    home = client.get("/coaching/").get_data(as_text=True)
    assert "Pulse checks: asking for help" in home and "My laptop" in home
    assert pat.name in home
    # Resolving with a note, from the home page
    resolve = f"/assessments/pulse/{pulse.id}/resolve"
    client.post(resolve, data={"note": "", "next": "home"})
    assert pulses()[0].resolved_at is None
    done = client.post(resolve, data={"note": "Lent one", "next": "home"})
    assert done.status_code == 302 and done.location.endswith("/coaching/")
    db.session.expire_all()
    assert pulses()[0].resolution_note == "Lent one"
    assert pulses()[0].resolved_by_id == captain.id
    assert "My laptop" not in client.get("/coaching/").get_data(as_text=True)


def test_another_captain_neither_sees_nor_resolves(client, login_as, factory, assess):
    cohort, (pat, _), _captain, _ = pod(assess, factory)
    pulse = assess.pulse(cohort, pat, help_with="Secret trouble")
    other_people = assess.participants(cohort, 1)
    other, _ = assess.captain(cohort, pod=other_people)
    login_as(other)
    assert "Secret trouble" not in client.get("/coaching/").get_data(as_text=True)
    response = client.post(f"/assessments/pulse/{pulse.id}/resolve", data={"note": "x"})
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(PulseResponse, pulse.id).resolved_at is None


def test_staff_coverage_shows_requests_in_their_cities(client, login_as, factory, assess):
    cohort, (pat, _), _, _ = pod(assess, factory)
    pulse = assess.pulse(cohort, pat, help_with="Transport to the library")
    elsewhere, (far, _), _, _ = pod(assess, factory)
    assess.pulse(elsewhere, far, help_with="Far away trouble")
    login_as("city_staff", cities=[cohort.city])
    coverage = client.get("/coaching/coverage").get_data(as_text=True)
    assert "Transport to the library" in coverage and "Far away trouble" not in coverage
    tab = client.get(f"/coaching/cohorts/{cohort.id}/coverage").get_data(as_text=True)
    assert "Transport to the library" in tab
    listing = client.get("/assessments/help").get_data(as_text=True)
    assert "Transport to the library" in listing and "Far away trouble" not in listing
    far_pulse = pulses()[-1]
    assert (
        client.post(f"/assessments/pulse/{far_pulse.id}/resolve", data={"note": "x"}).status_code
        == 404
    )
    done = client.post(
        f"/assessments/pulse/{pulse.id}/resolve", data={"note": "Bus pass", "next": "cohort"}
    )
    assert done.location.endswith(f"/coaching/cohorts/{cohort.id}/coverage")
    db.session.expire_all()
    assert db.session.get(PulseResponse, pulse.id).resolution_note == "Bus pass"
    assert db.session.get(PulseResponse, far_pulse.id).resolved_at is None
    # A resolved one cannot be resolved again
    client.post(f"/assessments/pulse/{pulse.id}/resolve", data={"note": "Again"})
    db.session.expire_all()
    assert db.session.get(PulseResponse, pulse.id).resolution_note == "Bus pass"


def test_the_cadence_is_set_per_cohort(client, login_as, factory, assess):
    cohort, (pat, _), _, _ = pod(assess, factory)
    today = clock.today_for_cohort(cohort)
    login_as("staff")
    url = f"/assessments/cohorts/{cohort.id}/pulse-days"
    for bad in ("3", "60", "x"):
        assert client.post(url, data={"days": bad}).status_code == 422
    assert db.session.scalars(sa.select(PulseSetting)).all() == []
    assert client.post(url, data={"days": "7"}).status_code == 302
    assert queries.pulse_days(cohort.id) == 7
    assert pulse_period(cohort.start_date, today, 7) == cohort.start_date + timedelta(weeks=3)
    login_as(pat)
    client.post(
        f"/assessments/my/{cohort.id}/pulse",
        data={"confidence": "4", "workload": "3", "needs_help": "0"},
    )
    assert pulses()[0].period_start == cohort.start_date + timedelta(weeks=3)


def test_response_rates_per_cohort_and_pod(client, login_as, factory, assess):
    """Week 3 of a cohort with 14-day periods: two periods so far. Cleo's pod (2 people)
    answered 3 times, once this period; Dan's pod (1 person) never; one person in no pod
    answered this period."""
    cohort, (a, b), cleo, cleo_pod = pod(assess, factory)
    [c] = assess.participants(cohort, 1)
    assess.captain(cohort, pod=[c], name="Dan Captain")
    [d] = assess.participants(cohort, 1)
    first = cohort.start_date
    now = cohort.start_date + timedelta(days=14)
    assess.pulse(cohort, a, period=first)
    assess.pulse(cohort, a, period=now)
    assess.pulse(cohort, b, period=first)
    assess.pulse(cohort, d, period=now)
    today = clock.today_in(cohort.city.timezone)
    total, pods = queries.pod_rates([cohort], today)[cohort.id]
    assert (total.enrolled, total.answered_now, total.answered, total.expected) == (4, 2, 4, 8)
    rows = {r.label: (r.enrolled, r.answered_now, r.answered, r.expected) for r in pods}
    assert rows == {
        "Cleo Captain's pod": (2, 1, 3, 4),
        "Dan Captain's pod": (1, 0, 0, 2),
        "Not in a pod": (1, 1, 1, 2),
    }
    login_as("staff")
    html = client.get(f"/assessments/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Cleo Captain&#39;s pod" in html and "3 of 4" in html and "50%" in html
    login_as(cleo)
    home = client.get("/coaching/").get_data(as_text=True)
    assert "Cleo Captain&#39;s pod</th>" in home and "75%" in home
    assert "Dan Captain&#39;s pod</th>" not in home and "Not in a pod" not in home
