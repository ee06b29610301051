"""Who may see and act on which petitions (and, later, instructions).

- The secretariat (``petitions.change_petition``) sees every petition and
  acts as ``rules.SECRETARIAT``.
- Department staff see only the petitions assigned to their department and
  act on them as ``rules.DEPARTMENT``.
- Officials and the budget & policy reviewers see nothing here unless they
  hold the permission.
"""

from __future__ import annotations

from django.db.models import QuerySet

from petitions import rules
from petitions.models import Petition
from scheduling.access import user_department_id

MANAGE = "petitions.change_petition"
VIEW = "petitions.view_petition"


def petition_scope(user) -> QuerySet[Petition]:
    """The petitions ``user`` may see."""
    if user.has_perm(MANAGE):
        return Petition.objects.all()
    department_id = user_department_id(user)
    if department_id is None or not user.has_perm(VIEW):
        return Petition.objects.none()
    return Petition.objects.filter(department_id=department_id)


def actors_for(user, petition: Petition) -> frozenset[str]:
    """The roles of ``rules`` that ``user`` acts in on ``petition``."""
    actors = set()
    if user.has_perm(MANAGE):
        actors.add(rules.SECRETARIAT)
    department_id = user_department_id(user)
    if department_id is not None and department_id == petition.department_id and user.has_perm(VIEW):
        actors.add(rules.DEPARTMENT)
    return frozenset(actors)
