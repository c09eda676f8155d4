"""Forms for "you said, we did" letters: the organisation's own words around the letter, and a
group's replies after its partner passed the letter on.

The forms only collect what was typed; the rules (who may write, what a letter needs, which
group a letter was shared with) are checked by services.letter_update and
services.group_replies_record.
"""

import re

from django import forms

from powershare.engagement.models import ContributionKind
from powershare.lib.forms import Form

from .services import MAX_GROUP_REPLIES, MAX_TEXT


class LetterForm(Form):
    """The parts of a letter staff write: its title, opening and closing. The middle (what
    people said and what we did) is assembled from the responses and cannot be typed here."""

    subject = forms.CharField(
        label="Title",
        max_length=200,
        help_text="The email's subject and the printed letter's heading.",
        error_messages={
            "required": "Give the letter a title.",
            "max_length": "Keep the title under 200 characters.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    opening = forms.CharField(
        label="Opening",
        max_length=MAX_TEXT,
        help_text="Thank people and say what the letter is about. Plain words, short sentences.",
        error_messages={
            "required": "Write a few words to open the letter.",
            "max_length": "Keep this under 10,000 characters.",
        },
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off"}),
    )
    closing = forms.CharField(
        label="Closing",
        required=False,
        max_length=MAX_TEXT,
        help_text="How people can get in touch, and that they can change their mind about how "
        "we use what they said.",
        error_messages={"max_length": "Keep this under 10,000 characters."},
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
    )


_REPLY_NUMBER = re.compile(r"^Reply (\d+): ")


class GroupRepliesForm(Form):
    """What a group said back after reading the letter, one reply per line."""

    replies = forms.CharField(
        label="What the group said back",
        help_text="One reply per line, in the group's own words. Each line becomes a new "
        "contribution, so it gets a response too.",
        max_length=MAX_TEXT * 10,
        error_messages={
            "required": "Enter at least one reply, one per line.",
            "max_length": "That is too much text for one go. Enter fewer replies at a time.",
        },
        widget=forms.Textarea(attrs={"rows": 8, "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label="Kind of replies",
        choices=ContributionKind.choices,
        initial=ContributionKind.VIEW,
        help_text="If the replies are of different kinds, record each kind separately.",
        error_messages={
            "required": "Choose what kind of replies these are.",
            "invalid_choice": "Choose a kind from the list.",
        },
    )

    def clean_replies(self) -> list[str]:
        """The replies that have words in them, remembering which line each was on so a
        problem can name the line the person typed it on."""
        lines = self.cleaned_data["replies"].replace("\x00", "").splitlines()
        self.line_numbers = []
        replies = []
        for number, line in enumerate(lines, start=1):
            if line.strip():
                replies.append(line.strip())
                self.line_numbers.append(number)
        if not replies:
            raise forms.ValidationError("Enter at least one reply, one per line.")
        if len(replies) > MAX_GROUP_REPLIES:
            raise forms.ValidationError(
                f"Enter up to {MAX_GROUP_REPLIES} replies at a time. There are {len(replies)}."
            )
        return replies

    def line_message(self, message: str) -> str:
        """A service's "Reply 3: …" as "Line 5: …" (the line on the page, blank lines
        counted)."""
        match = _REPLY_NUMBER.match(message)
        if not match:
            return message
        index = int(match.group(1)) - 1
        numbers = getattr(self, "line_numbers", [])
        line = numbers[index] if 0 <= index < len(numbers) else index + 1
        return f"Line {line}: {message[match.end() :]}"
