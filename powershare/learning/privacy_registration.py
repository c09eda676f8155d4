"""What learning holds about a person on the register, for subject access and erasure.

* **Trainer**: their place in the trainer pool, with the topics they like to train on.
* **Facilitator**: the delivery teams they were part of, and the experience they brought.
* **Commission** and **CommissionSupport**: the deliveries they were commissioned for, found
  through the commission's trainer (a commission always names the trainer commissioned), with
  the support planned before, on the day and after.
* **MaterialQuote**: learning materials that quote what they said (their contributions).

Erasure: the trainer and facilitator rows go. A commission stays, because its hours and the
link to the payment owed keep the accounts right, but its trainer is emptied (SET_NULL) and the
support plans lose their free text. Material quotes stay as bare links: the words themselves
are erased with the contributions (engagement), and that flags every material quoting them as
needing updating, so the product's owner takes the quote out.

Learners are not on the register: they hold only a name, email, job role and team, and are
deleted after the retention period (services.learners_purge) or on request
(services.learner_erase); their attendance stays as counts.
"""

from powershare.privacy import registry

from .models import Commission, CommissionSupport, Facilitator, MaterialQuote, Trainer


def _delete_rows(person, rows) -> None:
    rows.delete()


def _erase_support(person, rows) -> None:
    rows.update(plan="")


# Support plans and commissions are listed (and their free text erased) before the trainer and
# facilitator rows they are found through are deleted. Support comes first: the export test
# builds a row for each entry through its lookup, and a support plan's row brings its
# commission and trainer with it (a person is in a pool once).
registry.register(
    CommissionSupport,
    person_lookup="commission__trainer__person",
    label="Support planned for you when you co-delivered learning",
    erase=_erase_support,
    order=60,
)
registry.register(
    Commission,
    person_lookup="trainer__person",
    label="Learning you were commissioned to co-deliver",
    erase=registry.keep_rows,
    order=61,
)
registry.register(
    Trainer,
    person_lookup="person",
    label="Your place in a trainer pool",
    erase=_delete_rows,
    order=62,
)
registry.register(
    Facilitator,
    person_lookup="person",
    label="Learning you co-delivered",
    erase=_delete_rows,
    order=63,
)
registry.register(
    MaterialQuote,
    person_lookup="contribution__person",
    label="Learning materials that quote you",
    erase=registry.keep_rows,
    order=64,
)
