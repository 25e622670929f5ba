"""Support-service referrals: a participant referred to a community partner for a need
(transport, a laptop, childcare, …), confidential to staff, the pod's captain and the
participant."""
