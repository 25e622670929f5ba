"""Results against a hand-computed data set: paired intake-to-exit changes per cohort and
per track with their n, groups under 5 withheld; and this domain's answers to the at-risk
and skill-gains questions, called directly.

Cohort A (5 paired people, one more with intake only), cohort B (2 paired), one track.
Items: S1 and S2 (scales), H (a number, always 5), Y (yes/no: never paired).

        S1 in→out   S2 in→out
  p1     2 → 4       5 → 2      drop 3 on S2
  p2     3 → 3       4 → 4
  p3     1 → 4       3 → 5      mean change (3 + 2 + 0) / 3 = 1.67: a skill gain above 1
  p4     4 → 5       3 → 4      mean change 0.67
  p5     2 → 2       4 → 2      drop 2 on S2
  p6     3 (intake only)
  q1     1 → 3       3 → 3      (cohort B) mean change 0.67
  q2     5 → 4       3 → 3      (cohort B) drop 1: not more than 1

Cohort A: S1 n=5, 2.40 → 3.60, +1.20; S2 n=5, 3.80 → 3.40, -0.40; H +0.00.
Cohort B: n=2, withheld. Track: S1 n=7, 18/7 = 2.57 → 25/7 = 3.57, +1.00.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coop.assessments import queries
from coop.extensions import db
from coop.programs.models import Cohort

ITEMS = "scale: S1 confidence\nscale: S2 comfort\nnumber: H hours\nyesno: Y built one"


@pytest.fixture
def data(factory, assess):
    track = factory.track(name="Analytics")
    template = assess.template(track, title="Skills", items=ITEMS)
    a = assess.active_cohort(weeks_in=15, track=track, name="Cohort A")
    b = assess.active_cohort(weeks_in=15, track=track, name="Cohort B")
    people = {}
    for cohort, rows in [
        (a, {"p1": (2, 4, 5, 2), "p2": (3, 3, 4, 4), "p3": (1, 4, 3, 5), "p4": (4, 5, 3, 4),
             "p5": (2, 2, 4, 2), "p6": (3, None, 3, None)}),
        (b, {"q1": (1, 3, 3, 3), "q2": (5, 4, 3, 3)}),
    ]:  # fmt: skip
        intake = assess.schedule(cohort, template, "intake", 1)
        leaving = assess.schedule(cohort, template, "exit", 16)
        for name, (s1_in, s1_out, s2_in, s2_out) in rows.items():
            user = people[name] = factory.user("participant", name=name)
            factory.enrollment(cohort=cohort, user=user)
            assess.answer(intake, cohort, user, {1: s1_in, 2: s2_in})
            if s1_out is not None:
                assess.answer(leaving, cohort, user, {1: s1_out, 2: s2_out})
    return {"track": track, "a": a, "b": b, "template": template, **people}


def by_prompt(changes):
    return {c.prompt: c for c in changes}


def test_paired_changes_per_cohort(data):
    a = by_prompt(queries.paired_changes([data["a"].id]))
    assert set(a) == {"S1 confidence", "S2 comfort", "H hours"}  # not the yes/no
    s1, s2, h = a["S1 confidence"], a["S2 comfort"], a["H hours"]
    assert (s1.n, s1.before, s1.after, s1.change) == (5, 2.4, 3.6, pytest.approx(1.2))
    assert (s2.n, s2.before, s2.after) == (5, 3.8, 3.4)
    assert s2.change == pytest.approx(-0.4)
    assert (h.n, h.change) == (5, 0)
    assert s1.shown(s1.change) == "+1.20" and s2.shown(s2.before) == "3.80"
    b = by_prompt(queries.paired_changes([data["b"].id]))["S1 confidence"]
    assert b.n == 2 and b.withheld and b.n_text == "<5"
    assert (b.before, b.after, b.change) == (None, None, None)
    assert b.shown(b.change) == "withheld"


def test_paired_changes_per_track(data, client, login_as):
    ids = sa.select(Cohort.id).where(Cohort.track_id == data["track"].id)
    s1 = by_prompt(queries.paired_changes(ids))["S1 confidence"]
    assert s1.n == 7
    assert s1.before == pytest.approx(18 / 7) and s1.after == pytest.approx(25 / 7)
    assert s1.change == pytest.approx(1.0)
    login_as("staff")
    html = client.get(f"/assessments/tracks/{data['track'].id}").get_data(as_text=True)
    assert "2.57" in html and "3.57" in html and "+1.00" in html
    cohort_b = client.get(f"/assessments/cohorts/{data['b'].id}").get_data(as_text=True)
    assert "&lt;5" in cohort_b and "withheld" in cohort_b
    assert "+1.20" in client.get(f"/assessments/cohorts/{data['a'].id}").get_data(as_text=True)


def test_track_results_count_only_the_viewers_cities(data, client, login_as):
    login_as("city_staff", cities=[data["b"].city])
    html = client.get(f"/assessments/tracks/{data['track'].id}").get_data(as_text=True)
    assert "in your cities" in html and "&lt;5" in html and "2.57" not in html


def run(select):
    return sorted(tuple(r) for r in db.session.execute(select).all())


def test_assessment_drop_reasons(data, assess):
    ids = sa.select(Cohort.id)
    rows = run(queries.assessment_drop_reasons(None, cohort_ids=ids, today=None, thresholds={}))
    a = data["a"].id
    assert rows == sorted(
        [
            (
                data["p1"].id,
                a,
                "assessment_drop",
                "Scale answers fell since intake, by up to 3 points",
            ),
            (
                data["p5"].id,
                a,
                "assessment_drop",
                "Scale answers fell since intake, by up to 2 points",
            ),
        ]
    )
    stricter = queries.assessment_drop_reasons(
        None, cohort_ids=ids, thresholds={"assessment_drop": 2}
    )
    assert [r[0] for r in run(stricter)] == [data["p1"].id]
    # Scoped to the cohorts asked about
    only_b = sa.select(Cohort.id).where(Cohort.id == data["b"].id)
    assert run(queries.assessment_drop_reasons(None, cohort_ids=only_b, thresholds={})) == []


def test_pulse_help_reasons(data, assess):
    a = data["a"]
    assess.pulse(a, data["p2"], help_with="My laptop broke")
    done = assess.pulse(a, data["p3"], help_with="Childcare")
    done.resolved_at = done.submitted_at
    assess.pulse(a, data["p4"])
    db.session.flush()
    rows = run(queries.pulse_help_reasons(None, cohort_ids=sa.select(Cohort.id), thresholds={}))
    assert rows == [(data["p2"].id, a.id, "pulse_help", "Asked for help: My laptop broke")]


def test_skill_gains(data):
    ids = sa.select(Cohort.id)
    rows = run(queries.assessment_gains(None, cohort_ids=ids, threshold=1))
    exit_day = data["a"].start_date + timedelta(weeks=15)  # the exit week's first day
    assert rows == [(data["p3"].id, data["a"].id, exit_day, "assessment")]
    looser = {r[0] for r in run(queries.assessment_gains(None, cohort_ids=ids, threshold=0.5))}
    assert looser == {data["p3"].id, data["p4"].id, data["q1"].id}
