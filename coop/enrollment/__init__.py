"""Applications, review, waitlist, roster import and export."""
