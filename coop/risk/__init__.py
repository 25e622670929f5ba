"""The at-risk list: participants at risk now with their reasons, asked of every domain
that knows one through ``coop.core.events.at_risk_reasons``."""
