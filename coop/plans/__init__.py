"""Individual career plans (goals and steps) and credentials (a catalogue per track,
credentials earned and verified by staff)."""
