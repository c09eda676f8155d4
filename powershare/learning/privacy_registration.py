"""What learning holds about a person on the register, for subject access and erasure.

(Filled in by the learning privacy work: Facilitator, Trainer, Commission, CommissionSupport,
MaterialQuote.) Learners are not on the register: they hold only a name, email, job role and
team, and are deleted after the retention period (services.learners_purge) or on request
(services.learner_erase).
"""
