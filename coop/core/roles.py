"""The three roles a person can have. Core's permission checks name them, so they live
here; ``coop.auth.models`` stores one on every user."""

import enum


class Role(enum.StrEnum):
    STAFF = "staff"
    CAPTAIN = "captain"
    PARTICIPANT = "participant"
