"""Partners and outreach, openings, referrals, placements, follow-ups."""
