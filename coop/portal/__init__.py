"""The participant's own cohort page."""
