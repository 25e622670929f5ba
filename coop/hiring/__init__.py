"""Hiring events: job fairs, info sessions and mock interviews that staff run with the
partners attending, the people who opt in (with a waitlist), attendance afterwards, and
the referrals that start at an event."""
