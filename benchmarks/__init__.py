"""Benchmarks, run from the repository's root (``make bench``). Outside the ``coop``
package: the app never imports them, and they are not installed with it."""
