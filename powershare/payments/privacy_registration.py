"""What payments hold about a person, for subject access and erasure.

Erasure keeps every amount, date and status, because the organisation's accounts must still
add up, but removes anything that could say who the person was: free text, the charity they
chose, and the receipts themselves (photos that may show a name or an address).
"""

from django.db import transaction

from powershare.privacy import registry

from .models import ClaimStatus, ExpenseClaim, ExpenseLine, Payment, PaymentChoice, Receipt


def _delete_rows(person, rows) -> None:
    rows.delete()


def _delete_receipts(person, rows) -> None:
    stored = [receipt.file for receipt in rows]
    rows.delete()
    transaction.on_commit(lambda: [f.storage.delete(f.name) for f in stored])


def _erase_claims(person, rows) -> None:
    """Claims the person never sent go altogether (with their receipts): nobody else ever saw
    them, and once their login is gone staff must not find them. Sent claims keep their
    amounts for the accounts, without the words."""
    drafts = rows.filter(status=ClaimStatus.DRAFT)
    _delete_receipts(person, Receipt.objects.filter(line__claim__in=drafts))
    drafts.delete()
    rows.update(note="", returned_reason="")


registry.register(
    PaymentChoice,
    person_lookup="person",
    label="How you want to be paid, and the limits you chose",
    erase=_delete_rows,
    order=50,
)
registry.register(
    Payment,
    person_lookup="person",
    label="Payments for your time",
    erase=registry.blank_fields("description", "note", "reason", "charity"),
    export_exclude=("prepared_by_ids",),
    order=51,
)
registry.register(
    ExpenseClaim,
    person_lookup="person",
    label="Expense claims",
    erase=_erase_claims,
    order=52,
)
registry.register(
    ExpenseLine,
    person_lookup="claim__person",
    label="Costs you claimed",
    erase=registry.blank_fields("description"),
    order=53,
)
registry.register(
    Receipt,
    person_lookup="line__claim__person",
    label="Receipts you sent (the files are included in this export by name only)",
    erase=_delete_receipts,
    export_exclude=("key", "file"),
    order=54,
)
