"""The summary of learning's words: the narrative the learning lead writes around the figures
(which are never typed: they are counted from the records)."""

from django import forms

from powershare.lib.forms import Form

#: The longest each part may be (services.summary_update keeps the same limit).
MAX_LENGTH = 20000


def _field(label: str, help_text: str, rows: int = 6) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "max_length": f"{label} can be at most {MAX_LENGTH:,} characters long. "
            "Shorten it, or keep the longer text in a document of its own."
        },
    )


class SummaryForm(Form):
    background = _field(
        "Background",
        "Why the learning was made, who it is for and who made it with you.",
    )
    evaluation_method = _field(
        "How it was evaluated",
        "How people were asked for their views: the figures and response rates are added by "
        "themselves.",
    )
    key_learning = _field(
        "What we learned",
        "What the answers and the people delivering it tell you about the learning.",
    )
    feedback_loop = _field(
        "Feedback loop",
        "How what people said goes back to the people who helped design the learning.",
    )
    next_steps = _field("Next steps", "What will change next, and who will do it.")
    plain_summary = _field(
        "Plain-English summary for the people who helped design it",
        "Short sentences, no jargon: it can be sent to the people with lived experience who "
        "shaped the learning.",
        rows=5,
    )

    def narrative(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


def summary_initial(summary) -> dict:
    if summary is None:
        return {}
    return {name: getattr(summary, name) for name in SummaryForm.base_fields}
