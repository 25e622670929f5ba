"""Outcome dashboards and exports."""
