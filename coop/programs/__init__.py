"""Cities, tracks, partners and cohorts: what staff launch."""
