"""Virtual sessions, attendance, calendar feeds, reminders, meeting-report import."""
