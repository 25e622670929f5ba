"""Assessments (templates per track, scheduled per cohort) and pulse checks."""
