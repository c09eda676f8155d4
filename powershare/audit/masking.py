"""How the change log hides personal values.

django-auditlog's own mask keeps the second half of a value ("*****ouncil flat 2"), which is
still personal data. PowerShare's change log says *that* a personal field changed and who changed
it, never any part of what it says: the value is on the record, seen only by those who may.
"""

HIDDEN = "[hidden]"


def mask_completely(value) -> str:
    return HIDDEN if value not in (None, "", "None") else ""
