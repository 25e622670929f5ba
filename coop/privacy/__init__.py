"""People's data rights: a copy of one's own data, withdrawing consent, erasure, and
the retention policy that erases people when their time is up.

It sits at the top of the layers (beside reports and portal): it reads every domain.
"""
