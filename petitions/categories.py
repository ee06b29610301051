"""The petition office's category table (seed 000's columns): every topic of
``scheduling.categories.Category`` plus two kinds of message that are not a
topic a department owns — praise and greetings (칭찬), recorded and thanked,
and guidance (안내), answered by the office itself."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from scheduling.categories import Category

PetitionCategory = models.TextChoices(
    "PetitionCategory",
    [(member.name, (member.value, member.label)) for member in Category]
    + [("PRAISE", ("praise", _("Praise"))), ("GUIDANCE", ("guidance", _("Guidance")))],
)

#: Categories no department is asked to answer: thanked or guided by the office.
NOT_ROUTED = frozenset({"praise", "guidance"})
