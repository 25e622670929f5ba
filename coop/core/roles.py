"""The roles a person can have. Core's permission checks name them, so they live
here; ``coop.auth.models`` stores one on every user."""

import enum


class Role(enum.StrEnum):
    STAFF = "staff"
    CAPTAIN = "captain"
    PARTICIPANT = "participant"
    #: A person at a partner organisation (coop.talent): their organisation's pages and
    #: the talent search, nothing of the program.
    PARTNER = "partner"
