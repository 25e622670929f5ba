"""Recruitment referrals by alumni: per cohort and per alumnus."""

from coop.enrollment.models import Stage
from coop.programs.models import CohortStatus


def test_per_cohort_and_per_alumnus_counts(client, login_as, factory, recruiting, applicant):
    login_as("staff")
    city = factory.city()
    old = factory.cohort(city=city, status=CohortStatus.COMPLETED)
    ana = applicant(old, Stage.GRADUATED, name="Ana Alum").user
    ben = applicant(old, Stage.GRADUATED, name="Ben Alum").user
    first, second = recruiting(city=city), recruiting(city=city)
    applicant(first, Stage.APPLIED, referred_by=ana)
    applicant(first, Stage.ENROLLED, referred_by=ana)
    applicant(first, Stage.DECLINED, referred_by=ana)
    applicant(first, Stage.ENROLLED, referred_by=ben)
    applicant(first, Stage.APPLIED)  # not referred
    applicant(second, Stage.ENROLLED, referred_by=ana)

    cohort_page = client.get(f"/cohorts/{first.id}/alumni-referrals").get_data(as_text=True)
    overall = client.get("/alumni-referrals").get_data(as_text=True)

    # In the first cohort: Ana referred 3 (1 enrolled), Ben 1 (1 enrolled); 4 referred, 2 enrolled.
    assert '<div class="display-6">4</div>' in cohort_page
    assert '<div class="display-6">2</div>' in cohort_page
    ana_row = cohort_page[cohort_page.index("Ana Alum") :].split("</tr>")[0]
    assert '<td class="text-end">3</td><td class="text-end">1</td>' in ana_row
    # Everywhere: Ana referred 4 applicants in 2 cohorts, 2 of them enrolled; Ana first.
    assert overall.index("Ana Alum") < overall.index("Ben Alum")
    ana_all = overall[overall.index("Ana Alum") :].split("</tr>")[0]
    assert (
        '<td class="text-end d-none d-sm-table-cell">2</td><td class="text-end">4</td>'
        '<td class="text-end">2</td>' in ana_all
    )


def test_referred_applicants_are_marked_in_the_queue(
    client, login_as, factory, recruiting, applicant
):
    login_as("staff")
    old = factory.cohort(status=CohortStatus.COMPLETED)
    ana = applicant(old, Stage.GRADUATED, name="Ana Alum").user
    cohort = recruiting()
    applicant(cohort, referred_by=ana)
    page = client.get(f"/cohorts/{cohort.id}/applications").get_data(as_text=True)
    assert "alumnus: <strong>Ana Alum</strong>" in page
