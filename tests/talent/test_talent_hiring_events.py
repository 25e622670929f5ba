"""Partners attending a hiring event see the approved, visible career profiles of the
people registered for it (issue 14, part 6), and nothing of anyone else."""

from coop.hiring.models import RegistrationStatus
from tests.hiring.conftest import Hiring

#: Queries of the partner's event page: user and session, contact, the event and its
#: partners, the people's profiles (count, page, eager loads), the shortlist.
PINNED = 8


def _event(factory, tw, partners):
    hiring = Hiring(factory)
    event = hiring.event(city=tw.city, partners=partners, title="Metropolis data fair")
    for user in (tw.pat, tw.dana, tw.hide):  # approved, draft, hidden
        hiring.registration(event, user)
    hiring.registration(event, tw.sam, status=RegistrationStatus.WAITLISTED)
    return event


def test_attending_partner_sees_only_approved_visible_profiles_of_registered_people(
    client, login_as, factory, tw
):
    event = _event(factory, tw, [tw.initech])
    login_as(tw.partner_user)
    listing = client.get("/partner/events")
    assert listing.status_code == 200
    assert "Metropolis data fair" in listing.get_data(as_text=True)
    page = client.get(f"/partner/events/{event.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert tw.pat.name in html and "Data analyst who loves SQL dashboards" in html
    # A draft profile, a hidden one, someone on the waitlist, someone not registered:
    for other in (tw.dana, tw.hide, tw.sam, tw.alex):
        assert other.name not in html
    # Never contact details on this page.
    assert tw.pat.email not in html


def test_a_partner_not_attending_gets_404_and_no_list(client, login_as, factory, tw):
    event = _event(factory, tw, [tw.initech])
    login_as(tw.other_partner_user)
    assert client.get(f"/partner/events/{event.id}").status_code == 404
    html = client.get("/partner/events").get_data(as_text=True)
    assert "Metropolis data fair" not in html
    assert "not attending any hiring event yet" in html


def test_only_partner_contacts_reach_the_partner_event_pages(client, login_as, factory, tw):
    event = _event(factory, tw, [tw.initech])
    for path in ("/partner/events", f"/partner/events/{event.id}"):
        assert client.get(path).status_code == 302  # anonymous: to the sign-in page
        for role in ("staff", "captain", "participant"):
            login_as(role)
            assert client.get(path).status_code in (403, 404), (role, path)
            client.post("/logout")


def test_partner_event_page_query_count_is_fixed(client, login_as, factory, tw, count_queries):
    hiring = Hiring(factory)
    event = _event(factory, tw, [tw.initech])
    login_as(tw.partner_user)
    counts = []
    for extra in (0, 6):
        for i in range(extra):
            user = hiring.member(city=tw.city, name=f"Extra {len(counts)}-{i}")
            hiring.registration(event, user)
        client.get(f"/partner/events/{event.id}")
        with count_queries() as q:
            assert client.get(f"/partner/events/{event.id}").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1]
    assert counts[0] == PINNED, counts
