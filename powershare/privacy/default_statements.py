"""PowerShare's default consent wording: plain English, one purpose each. Organisations can
publish their own versions; these stay as version 1 for everyone until they do."""

DEFAULT_STATEMENTS = [
    (
        "contact",
        "Contact me",
        "You can get in touch with me about chances to take part, in the way and at the times I "
        "have said I prefer. I can ask you to stop at any time.",
    ),
    (
        "take_part",
        "Take part in activities",
        "You can invite me to take part in activities. I can say no to any invitation without "
        "giving a reason, and I can stop taking part at any time.",
    ),
    (
        "keep_information",
        "Keep my information",
        "You can keep what I have told you about my lived experience and what I need to take "
        "part safely. Only the people who arrange my involvement will see it.",
    ),
    (
        "quote_internal",
        "Use my words inside the organisation",
        "You can share what I say with staff inside the organisation, to help them change how "
        "they work. My name will only be used in the way I have chosen.",
    ),
    (
        "quote_anonymous",
        "Use my words without my name",
        "You can use what I say in reports and training without my name, and without details "
        "that would let people work out it was me.",
    ),
    (
        "quote_named",
        "Use my words with my name",
        "You can use what I say with my name next to it, in the way I have chosen to be credited.",
    ),
    (
        "publish_public",
        "Show my words on the public page",
        "You can show what I said, and what changed because of it, on the public \u201cyou said, we "
        "did\u201d page. It will not show my name unless I have agreed to that too.",
    ),
    (
        "photos_video",
        "Photographs and video",
        "You can take photographs or video of me when I take part, and use them in the ways "
        "you tell me about first. I can ask for them to be taken down.",
    ),
]


def default_statements_install(statement_model=None) -> int:
    """Add any missing default statement (version 1, no organisation). Used by the migration,
    and by tests whose database is emptied between runs (the migration's rows go too)."""
    if statement_model is None:
        from .models import ConsentStatement as statement_model
    added = 0
    for purpose, title, text in DEFAULT_STATEMENTS:
        if not statement_model.objects.filter(organisation=None, purpose=purpose).exists():
            statement_model.objects.create(
                organisation=None, purpose=purpose, version=1, title=title, text=text
            )
            added += 1
    return added
