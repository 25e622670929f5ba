"""Announcements: staff write to a cohort, a city or everyone; captains to their pod.
Each recipient is emailed through the outbox and sees it on their cohort page until it
expires; the author reads per recipient whether it was queued, sent or failed."""
