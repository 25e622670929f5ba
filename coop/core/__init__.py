"""Cross-domain building blocks: permissions, audit, mail, pagination, time zones, CSV,
the error path (`errors`) and the transaction per request (`retry`)."""
