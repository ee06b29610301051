"""The survey's form: four questions, each 1–5 as radio buttons, and a comment."""

from django import forms
from django.utils.translation import gettext_lazy

from petitions.surveys.models import QUESTIONS
from petitions.surveys.services import COMMENT_MAX

SCORES = [
    (5, gettext_lazy("5 – Very satisfied")),
    (4, gettext_lazy("4 – Satisfied")),
    (3, gettext_lazy("3 – Neither satisfied nor dissatisfied")),
    (2, gettext_lazy("2 – Dissatisfied")),
    (1, gettext_lazy("1 – Very dissatisfied")),
]
CHOOSE = gettext_lazy("Choose a score from 1 to 5 for this question.")


class SurveyForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Anything you would like to tell us? (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "class": "krds-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        questions = {
            name: forms.TypedChoiceField(
                label=label,
                choices=SCORES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": CHOOSE, "invalid_choice": CHOOSE},
            )
            for name, label in QUESTIONS
        }
        self.fields = {**questions, "comment": self.fields["comment"]}

    def question_fields(self):
        return [self[name] for name, _label in QUESTIONS]

    def scores(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name, _label in QUESTIONS}
