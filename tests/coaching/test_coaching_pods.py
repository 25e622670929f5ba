"""Captain teams and pods through the staff pages: adding captains, balancing, moving,
and removing a captain with a preview."""

import re

import pytest
import sqlalchemy as sa

from coop.coaching import services
from coop.coaching.models import CaptainAssignment, PodMembership
from coop.core.models import AuditEvent
from coop.enrollment.models import Stage
from coop.extensions import db
from coop.programs.models import CohortStatus


def pods(cohort) -> dict[int, set[int]]:
    """assignment id -> participant ids, from the database."""
    out: dict[int, set[int]] = {}
    for aid, pid in db.session.execute(
        sa.select(PodMembership.assignment_id, PodMembership.participant_id).where(
            PodMembership.cohort_id == cohort.id
        )
    ):
        out.setdefault(aid, set()).add(pid)
    return out


def actions(target_type=None):
    stmt = sa.select(AuditEvent.action)
    if target_type:
        stmt = stmt.where(AuditEvent.target_type == target_type)
    return list(db.session.scalars(stmt))


@pytest.fixture
def staff(login_as):
    return login_as("staff")


def test_balance_places_everyone_evenly(client, staff, coach, factory):
    cohort = factory.cohort()
    team = coach.team(cohort, 3)
    people = coach.enrolled(cohort, 10)
    coach.enrolled(cohort, 2, stage=Stage.WITHDRAWN)
    coach.enrolled(cohort, 1, stage=Stage.APPLIED)
    db.session.commit()
    r = client.post(f"/coaching/cohorts/{cohort.id}/pods/balance", data={"full": "0"})
    assert r.status_code == 302
    result = pods(cohort)
    assert sorted(len(m) for m in result.values()) == [3, 3, 4]
    assert set().union(*result.values()) == {p.id for p in people}
    assert set(result) == {a.id for a in team}
    assert "pods.balance" in actions("cohorts")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Pods balanced: 10 people placed in a pod." in page


def test_balance_keeps_existing_pods_and_fills_the_smallest(client, staff, coach, factory):
    cohort = factory.cohort()
    a, b, c = coach.team(cohort, 3)
    kept = coach.pod(a, coach.enrolled(cohort, 5))
    (old,) = coach.pod(b, coach.enrolled(cohort, 1))
    new = coach.enrolled(cohort, 4)
    db.session.commit()
    client.post(f"/coaching/cohorts/{cohort.id}/pods/balance", data={"full": "0"})
    result = pods(cohort)
    assert result[a.id] == {p.id for p in kept}
    # One by one to the smallest pod (ties to the lower id): c, b, c, b.
    assert len(result[b.id]) == 3 and len(result[c.id]) == 2
    assert old.id in result[b.id]
    assert {p.id for p in new} == (result[b.id] | result[c.id]) - {old.id}


def test_balancing_twice_changes_nothing_the_second_time(client, staff, coach, factory):
    cohort = factory.cohort()
    coach.team(cohort, 4)
    coach.enrolled(cohort, 15)
    db.session.commit()
    client.post(f"/coaching/cohorts/{cohort.id}/pods/balance", data={"full": "0"})
    first = pods(cohort)
    r = client.post(f"/coaching/cohorts/{cohort.id}/pods/balance", data={"full": "0"})
    assert "Everyone already had a pod; nobody moved." in client.get(r.location).text
    r = client.post(f"/coaching/cohorts/{cohort.id}/pods/balance", data={"full": "1"})
    assert "The pods were already even; nobody moved." in client.get(r.location).text
    assert pods(cohort) == first


def test_full_rebalance_evens_out_uneven_pods(client, staff, coach, factory):
    cohort = factory.cohort()
    a, b = coach.team(cohort, 2)
    coach.pod(a, coach.enrolled(cohort, 6))
    db.session.commit()
    client.post(f"/coaching/cohorts/{cohort.id}/pods/balance", data={"full": "0"})
    assert len(pods(cohort)[a.id]) == 6
    client.post(f"/coaching/cohorts/{cohort.id}/pods/balance", data={"full": "1"})
    result = pods(cohort)
    assert len(result[a.id]) == 3 and len(result[b.id]) == 3
    assert "pods.rebalance" in actions("cohorts")


def test_balance_never_goes_over_a_maximum(client, staff, coach, factory):
    cohort = factory.cohort()
    coach.assign(cohort, max_participants=2)
    coach.assign(cohort, max_participants=3)
    coach.enrolled(cohort, 8)
    db.session.commit()
    r = client.post(
        f"/coaching/cohorts/{cohort.id}/pods/balance", data={"full": "0"}, follow_redirects=True
    )
    assert sorted(len(m) for m in pods(cohort).values()) == [2, 3]
    assert "3 could not be placed" in r.get_data(as_text=True)
    page = client.get(f"/coaching/cohorts/{cohort.id}/team").get_data(as_text=True)
    assert "In no pod (3)" in page


def test_balance_without_a_team_changes_nothing(client, staff, coach, factory):
    cohort = factory.cohort()
    coach.enrolled(cohort, 3)
    db.session.commit()
    r = client.post(
        f"/coaching/cohorts/{cohort.id}/pods/balance", data={"full": "0"}, follow_redirects=True
    )
    assert "no captains yet" in r.get_data(as_text=True)
    assert pods(cohort) == {}


def test_pods_of_a_completed_cohort_are_closed(client, staff, coach, factory):
    cohort = factory.cohort()
    coach.team(cohort, 2)
    coach.enrolled(cohort, 3, stage=Stage.GRADUATED)
    cohort.status = CohortStatus.COMPLETED
    db.session.commit()
    r = client.post(
        f"/coaching/cohorts/{cohort.id}/pods/balance", data={"full": "0"}, follow_redirects=True
    )
    assert "its team and pods are closed" in r.get_data(as_text=True)
    assert pods(cohort) == {}


def test_move_a_participant_between_pods(client, staff, coach, factory):
    cohort = factory.cohort()
    a, b = coach.team(cohort, 2)
    (p,) = coach.pod(a, coach.enrolled(cohort, 1))
    db.session.commit()
    r = client.post(
        f"/coaching/cohorts/{cohort.id}/pods/move",
        data={"participant_id": p.id, "assignment_id": b.id},
    )
    assert r.status_code == 302
    assert pods(cohort) == {b.id: {p.id}}
    assert "pods.move" in actions()


def test_assign_an_unassigned_participant_by_hand(client, staff, coach, factory):
    cohort = factory.cohort()
    (a,) = coach.team(cohort, 1)
    (p,) = coach.enrolled(cohort, 1)
    db.session.commit()
    client.post(
        f"/coaching/cohorts/{cohort.id}/pods/move",
        data={"participant_id": p.id, "assignment_id": a.id},
    )
    assert pods(cohort) == {a.id: {p.id}}


def test_moving_into_a_full_pod_is_refused(client, staff, coach, factory):
    cohort = factory.cohort()
    a = coach.assign(cohort)
    b = coach.assign(cohort, max_participants=1)
    coach.pod(b, coach.enrolled(cohort, 1))
    (p,) = coach.pod(a, coach.enrolled(cohort, 1))
    db.session.commit()
    before = pods(cohort)
    r = client.post(
        f"/coaching/cohorts/{cohort.id}/pods/move",
        data={"participant_id": p.id, "assignment_id": b.id},
        follow_redirects=True,
    )
    assert "That pod is full (1)" in r.get_data(as_text=True)
    assert pods(cohort) == before


def test_moving_someone_from_another_cohort_or_to_another_team_is_refused(
    client, staff, coach, factory
):
    cohort, other = factory.cohort(), factory.cohort()
    (a,) = coach.team(cohort, 1)
    (x,) = coach.team(other, 1)
    (stranger,) = coach.pod(x, coach.enrolled(other, 1))
    (mine,) = coach.enrolled(cohort, 1)
    db.session.commit()
    r = client.post(
        f"/coaching/cohorts/{cohort.id}/pods/move",
        data={"participant_id": stranger.id, "assignment_id": a.id},
        follow_redirects=True,
    )
    assert "That person is not in this cohort." in r.get_data(as_text=True)
    r = client.post(
        f"/coaching/cohorts/{cohort.id}/pods/move",
        data={"participant_id": mine.id, "assignment_id": x.id},
        follow_redirects=True,
    )
    assert "Choose a pod on this cohort" in r.get_data(as_text=True)
    assert pods(cohort) == {} and pods(other) == {x.id: {stranger.id}}


# -- the team ---------------------------------------------------------------------------


def test_add_a_captain_to_the_team(client, staff, coach, factory):
    cohort = factory.cohort()
    captain = coach.captain()
    db.session.commit()
    page = client.get(f"/coaching/cohorts/{cohort.id}/team").get_data(as_text=True)
    assert f'<option value="{captain.id}"' in page
    r = client.post(
        f"/coaching/cohorts/{cohort.id}/team",
        data={"captain": captain.id, "max_participants": 5, "is_lead": "y"},
    )
    assert r.status_code == 302
    a = db.session.scalar(
        sa.select(CaptainAssignment).where(CaptainAssignment.cohort_id == cohort.id)
    )
    assert (a.captain_id, a.is_lead, a.max_participants, a.ended_at) == (captain.id, True, 5, None)
    assert "captain_assignment.create" in actions()


def test_add_a_captain_form_preselects_nobody_and_asks_for_a_choice(client, staff, coach, factory):
    cohort = factory.cohort()
    coach.captain()
    db.session.commit()
    page = client.get(f"/coaching/cohorts/{cohort.id}/team").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="captain".*?</select>', page, re.S).group(0)
    first = re.search(r"<option[^>]*>[^<]*</option>", select).group(0)
    assert 'value=""' in first and "Choose a captain…" in first and "selected" in first
    assert select.count("selected") == 1
    r = client.post(
        f"/coaching/cohorts/{cohort.id}/team", data={"captain": "", "max_participants": 6}
    )
    assert r.status_code == 422
    assert "Choose a captain." in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(CaptainAssignment.id))) == 0


def test_no_free_captain_shows_no_form(client, staff, factory):
    cohort = factory.cohort()
    db.session.commit()
    page = client.get(f"/coaching/cohorts/{cohort.id}/team").get_data(as_text=True)
    assert "No alumni captains are free to add." in page
    assert 'name="captain"' not in page


def test_a_captain_serves_several_cohorts(client, staff, coach, factory):
    captain = coach.captain()
    first, second = factory.cohort(), factory.cohort()
    db.session.commit()
    for cohort in (first, second):
        client.post(
            f"/coaching/cohorts/{cohort.id}/team",
            data={"captain": captain.id, "max_participants": 6},
        )
    n = db.session.scalar(
        sa.select(sa.func.count()).where(
            CaptainAssignment.captain_id == captain.id, CaptainAssignment.ended_at.is_(None)
        )
    )
    assert n == 2


def test_a_captain_never_serves_a_cohort_they_are_enrolled_in(client, staff, coach, factory):
    cohort = factory.cohort()
    captain = coach.captain()
    factory.enrollment(cohort=cohort, user=captain, stage=Stage.ENROLLED)
    db.session.commit()
    page = client.get(f"/coaching/cohorts/{cohort.id}/team").get_data(as_text=True)
    assert f'<option value="{captain.id}"' not in page
    r = client.post(
        f"/coaching/cohorts/{cohort.id}/team", data={"captain": captain.id, "max_participants": 6}
    )
    assert r.status_code == 422
    with pytest.raises(services.CoachingError, match="has an enrollment in this cohort"):
        services.add_to_team(cohort, captain, staff)
    assert db.session.scalar(sa.select(sa.func.count(CaptainAssignment.id))) == 0


def test_only_appointed_captains_join_a_team(client, staff, coach, factory):
    cohort = factory.cohort()
    graduate = coach.graduate()
    db.session.commit()
    r = client.post(
        f"/coaching/cohorts/{cohort.id}/team", data={"captain": graduate.id, "max_participants": 6}
    )
    assert r.status_code == 422
    with pytest.raises(services.CoachingError, match="not a current alumni captain"):
        services.add_to_team(cohort, graduate, staff)
    assert db.session.scalar(sa.select(sa.func.count(CaptainAssignment.id))) == 0


def test_one_lead_per_cohort(client, staff, coach, factory):
    cohort = factory.cohort()
    first = coach.assign(cohort, is_lead=True)
    captain = coach.captain()
    db.session.commit()
    client.post(
        f"/coaching/cohorts/{cohort.id}/team",
        data={"captain": captain.id, "max_participants": 6, "is_lead": "y"},
    )
    leads = db.session.scalars(
        sa.select(CaptainAssignment.captain_id).where(
            CaptainAssignment.cohort_id == cohort.id, CaptainAssignment.is_lead
        )
    ).all()
    assert leads == [captain.id]
    client.post(
        f"/coaching/cohorts/{cohort.id}/team/{first.id}",
        data={"max_participants": 6, "is_lead": "y"},
    )
    leads = db.session.scalars(
        sa.select(CaptainAssignment.captain_id).where(
            CaptainAssignment.cohort_id == cohort.id, CaptainAssignment.is_lead
        )
    ).all()
    assert leads == [first.captain_id]


def test_two_current_leads_are_refused_by_the_database(coach, factory):
    cohort = factory.cohort()
    coach.assign(cohort, is_lead=True)
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        coach.assign(cohort, is_lead=True)


def test_the_maximum_cannot_go_below_the_pod(client, staff, coach, factory):
    cohort = factory.cohort()
    a = coach.assign(cohort)
    coach.pod(a, coach.enrolled(cohort, 4))
    db.session.commit()
    r = client.post(
        f"/coaching/cohorts/{cohort.id}/team/{a.id}",
        data={"max_participants": 3},
        follow_redirects=True,
    )
    assert "Their pod has 4 participants" in r.get_data(as_text=True)
    db.session.refresh(a)
    assert a.max_participants == 6
    client.post(f"/coaching/cohorts/{cohort.id}/team/{a.id}", data={"max_participants": 8})
    db.session.refresh(a)
    assert a.max_participants == 8


def preview_fingerprint(html: str) -> str:
    return re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]+)"', html).group(1)


def test_removing_a_captain_previews_and_redistributes_their_pod(client, staff, coach, factory):
    cohort = factory.cohort()
    a, b, c = coach.team(cohort, 3)
    leaving = coach.pod(a, coach.enrolled(cohort, 3))
    coach.pod(b, coach.enrolled(cohort, 2))
    coach.pod(c, coach.enrolled(cohort, 3))
    db.session.commit()
    url = f"/coaching/cohorts/{cohort.id}/team/{a.id}/remove"
    html = client.get(url).get_data(as_text=True)
    b_name = db.session.get(type(leaving[0]), b.captain_id).name
    for p in leaving:
        assert p.name in html
    assert html.count(f"→ {b_name}'s pod") == 2
    # Nothing changes until staff confirm.
    assert pods(cohort)[a.id] == {p.id for p in leaving}
    r = client.post(url, data={"fingerprint": preview_fingerprint(html)})
    assert r.status_code == 302
    db.session.refresh(a)
    assert a.ended_at is not None
    result = pods(cohort)
    assert a.id not in result
    assert len(result[b.id]) == 4 and len(result[c.id]) == 4
    assert "captain_assignment.end" in actions()


def test_a_stale_preview_is_not_applied(client, staff, coach, factory):
    cohort = factory.cohort()
    a, b, c = coach.team(cohort, 3)
    coach.pod(a, coach.enrolled(cohort, 2))
    db.session.commit()
    url = f"/coaching/cohorts/{cohort.id}/team/{a.id}/remove"
    fingerprint = preview_fingerprint(client.get(url).get_data(as_text=True))
    # The pods change after the preview was shown.
    coach.pod(b, coach.enrolled(cohort, 2))
    db.session.commit()
    before = pods(cohort)
    r = client.post(url, data={"fingerprint": fingerprint})
    assert r.status_code == 200
    assert "The pods changed since the preview" in r.get_data(as_text=True)
    db.session.refresh(a)
    assert a.ended_at is None
    assert pods(cohort) == before


def test_a_removed_captain_can_come_back_on_the_same_row(client, staff, coach, factory):
    cohort = factory.cohort()
    a = coach.assign(cohort)
    db.session.commit()
    url = f"/coaching/cohorts/{cohort.id}/team/{a.id}/remove"
    client.post(
        url, data={"fingerprint": preview_fingerprint(client.get(url).get_data(as_text=True))}
    )
    client.post(
        f"/coaching/cohorts/{cohort.id}/team",
        data={"captain": a.captain_id, "max_participants": 4},
    )
    rows = db.session.scalars(
        sa.select(CaptainAssignment).where(CaptainAssignment.cohort_id == cohort.id)
    ).all()
    assert [(r.id, r.ended_at, r.max_participants) for r in rows] == [(a.id, None, 4)]


def test_team_page_lists_captains_pods_and_unassigned(client, staff, coach, factory):
    cohort = factory.cohort()
    a, b = coach.team(cohort, 2)
    (p,) = coach.pod(a, coach.enrolled(cohort, 1))
    (q,) = coach.enrolled(cohort, 1)
    db.session.commit()
    html = client.get(f"/coaching/cohorts/{cohort.id}/team").get_data(as_text=True)
    assert "In no pod (1)" in html
    assert p.name in html and q.name in html
    assert "Teams usually have about four captains; this one has 2." in html


def test_team_forms_carry_a_csrf_token(client, staff, coach, factory, csrf_enabled):
    cohort = factory.cohort()
    coach.team(cohort, 2)
    coach.enrolled(cohort, 4)
    db.session.commit()
    url = f"/coaching/cohorts/{cohort.id}/pods/balance"
    assert client.post(url, data={"full": "0"}).status_code == 400
    assert pods(cohort) == {}
    html = client.get(f"/coaching/cohorts/{cohort.id}/team").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert client.post(url, data={"full": "0", "csrf_token": token}).status_code == 302
    assert sum(len(m) for m in pods(cohort).values()) == 4
