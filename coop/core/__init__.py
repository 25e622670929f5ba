"""Cross-domain building blocks: permissions, audit, mail, pagination, time zones, CSV."""
