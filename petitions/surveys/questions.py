"""The survey's four questions (seed 003's 조사항목: 친절도, 업무처리, 편리성,
민원실 환경), each scored 1–5: (field, label). Their labels are shown to
citizens (``PUBLIC_MESSAGE_SOURCES``) and head the report's table."""

from django.utils.translation import gettext_lazy as _

QUESTIONS = (
    ("kindness", _("Kindness of the staff")),
    ("handling", _("How your petition was handled")),
    ("convenience", _("Convenience of filing and following it")),
    ("environment", _("The petition office and its surroundings")),
)
QUESTION_FIELDS = tuple(name for name, _label in QUESTIONS)
