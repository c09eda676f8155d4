"""Signals other apps listen to, so engagement never needs to know who uses its words."""

from django.dispatch import Signal

#: Sent (inside the transaction) after a contribution's words may no longer be used as they
#: were: it was withdrawn, had words removed, its use was narrowed, or its person was erased.
#: Arguments: contribution_ids (list of Contribution ids), reason ("withdrawn", "redacted", "use_narrowed",
#: "erased").
contribution_words_changed = Signal()
