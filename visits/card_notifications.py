"""What residents and departments are told about suggestions.

Interface used by ``visits.card_services`` (inside its transactions):
- ``tell_resident_of_status(suggestion, event)``: a public status change;
  sent only if the resident left a contact with consent.
- ``ask_if_resolved(suggestion)``: after completion, the "is it resolved?"
  question with a signed link.
- ``tell_department_of_reopening(suggestion, reason)``: the lead
  department learns that a resident answered "not resolved".
"""

from __future__ import annotations


def tell_resident_of_status(suggestion, event) -> None:
    pass


def ask_if_resolved(suggestion) -> None:
    pass


def tell_department_of_reopening(suggestion, reason) -> None:
    pass


def overdue_suggestions_remind() -> int:
    return 0
