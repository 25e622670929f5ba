"""iCalendar (RFC 5545) feeds of sessions."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar

from coop.db import utcnow
from coop.sessions.models import VirtualSession


def build_feed(name: str, sessions: list[VirtualSession], host: str = "coop") -> bytes:
    """A calendar of ``sessions`` (each with its cohort and city loaded). Times carry the
    cohort's zone (with its VTIMEZONE), so clients place them right across daylight-saving
    changes; cancelled sessions stay in the feed with STATUS:CANCELLED."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//coop//virtual sessions//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = utcnow()
    for session in sessions:
        cohort = session.cohort
        zone = ZoneInfo(cohort.city.timezone)
        event = icalendar.Event()
        event.add("uid", f"session-{session.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at.astimezone(zone))
        event.add("dtend", session.ends_at.astimezone(zone))
        event.add("summary", f"{session.title} · {cohort.name}")
        link = session.link(cohort)
        description = session.agenda or ""
        if link:
            description = f"{description}\n\nJoin: {link}".strip()
            event.add("url", link)
            event.add("location", link)
        if description:
            event.add("description", description)
        event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
        event.add("sequence", session.sequence)
        event.add("created", session.created_at)
        event.add("last-modified", session.updated_at)
        cal.add_component(event)
    if sessions:
        first = min(s.starts_at for s in sessions).date() - timedelta(days=366)
        last = max(s.starts_at for s in sessions).date() + timedelta(days=366)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()
