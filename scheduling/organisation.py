"""Who meets a citizen in the mayor's place, and whether every category of
request has someone: the one substitution rule (docs/organisation.md).

Seed 002: a request is substituted to "부시장이하 실·국·소장", the deputy
mayors and the director-level officials who head a bureau or an office.
For a request of a category the secretariat is offered, in this order:

1. the mayor, on a day other than TongTong Day;
2. the deputy mayor whose portfolio holds the bureau that owns the topic;
3. the other deputy mayors, in their order (제1부시장 before 제2부시장);
4. the director of the bureau that owns the topic;
5. the head of the owning department, if ``MEETING_SUBSTITUTE_DEPARTMENT_HEADS``.

The topic's owner is read down one path: category → owning department
(``CategoryOwner``) → its bureau → the bureau's director and deputy mayor.
Where the path breaks, ``owner_path`` says where, in words the admin can
act on; ``manage.py check`` and the admin's organisation pages show them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from scheduling.categories import Category
from scheduling.models import Bureau, CategoryOwner, Department, Official


class Role(enum.StrEnum):
    MAYOR = "mayor"
    PORTFOLIO_DEPUTY = "portfolio_deputy"
    OTHER_DEPUTY = "other_deputy"
    DIRECTOR = "director"
    DEPARTMENT_HEAD = "department_head"


@dataclass(frozen=True)
class Candidate:
    """One official the secretariat may book, and why they are proposed."""

    official: Official
    role: Role
    reason: str


@dataclass(frozen=True)
class OwnerPath:
    """Where a category's topic belongs: each step, or None where the path breaks."""

    category: str
    department: Department | None = None
    bureau: Bureau | None = None
    director: Official | None = None
    deputy_mayor: Official | None = None
    department_head: Official | None = None
    problems: list[str] = field(default_factory=list)


def _active(queryset):
    return queryset.filter(is_active=True).select_related("calendar", "user")


def mayor() -> Official | None:
    return _active(Official.objects.filter(rank=Official.Rank.MAYOR)).first()


def deputy_mayors() -> list[Official]:
    return list(_active(Official.objects.filter(rank=Official.Rank.DEPUTY_MAYOR)).order_by("substitution_order", "pk"))


def department_head(department: Department | None) -> Official | None:
    """The active head (과장) of ``department``, or None."""
    if department is None:
        return None
    return _active(Official.objects.filter(rank=Official.Rank.DEPARTMENT_HEAD, department=department)).first()


def category_label(category: str) -> str:
    return str(Category(category).label) if category in Category.values else category


def owner_path(category: str) -> OwnerPath:
    """Follow ``category`` to its department, bureau, director and deputy
    mayor, noting each break in the path as a problem."""
    label = category_label(category)
    owner = CategoryOwner.objects.select_related("department__bureau__deputy_mayor").filter(category=category).first()
    if owner is None:
        return OwnerPath(
            category,
            problems=[
                _("“%(category)s” has no owning department: choose one under “category owners”.") % {"category": label}
            ],
        )
    department = owner.department
    problems = []
    if not department.is_active:
        problems.append(
            _("“%(category)s” is owned by %(department)s, which is no longer active.")
            % {"category": label, "department": department}
        )
    head = department_head(department)
    bureau = department.bureau
    if bureau is None or not bureau.is_active:
        problems.append(
            _("“%(category)s”: %(department)s belongs to no active bureau (실·국·소), so no director can be proposed.")
            % {"category": label, "department": department}
        )
        return OwnerPath(category, department=department, department_head=head, problems=problems)
    director = _active(Official.objects.filter(rank=Official.Rank.DIRECTOR, bureau=bureau)).first()
    if director is None:
        problems.append(
            _("“%(category)s”: %(bureau)s (owner of %(department)s) has no active director.")
            % {"category": label, "bureau": bureau, "department": department}
        )
    deputy = bureau.deputy_mayor if bureau.deputy_mayor and bureau.deputy_mayor.is_active else None
    if deputy is None:
        problems.append(
            _("“%(category)s”: %(bureau)s is in no active deputy mayor's portfolio.")
            % {"category": label, "bureau": bureau}
        )
    return OwnerPath(
        category,
        department=department,
        bureau=bureau,
        director=director,
        deputy_mayor=deputy,
        department_head=head,
        problems=problems,
    )


def substitution_candidates(category: str) -> tuple[list[Candidate], list[str]]:
    """The officials to offer for a request of ``category``, in the order of
    the rule above, each with its reason, and the problems of the path (so
    that a page says why a director is missing instead of showing less)."""
    path = owner_path(category)
    bureau, department = path.bureau, path.department
    problems = list(path.problems)
    candidates: list[Candidate] = []
    the_mayor = mayor()
    if the_mayor is not None:
        candidates.append(Candidate(the_mayor, Role.MAYOR, _("The mayor, on another day than TongTong Day")))
    deputies = deputy_mayors()
    if not deputies:
        problems.append(_("There is no active deputy mayor."))
    if path.deputy_mayor is not None:
        candidates.append(
            Candidate(
                path.deputy_mayor,
                Role.PORTFOLIO_DEPUTY,
                _("Oversees %(bureau)s, owner of %(department)s") % {"bureau": bureau, "department": department},
            )
        )
    for deputy in deputies:
        if deputy != path.deputy_mayor:
            reason = (
                _("Deputy mayor; %(bureau)s is in another portfolio") % {"bureau": bureau}
                if bureau
                else _("Deputy mayor")
            )
            candidates.append(Candidate(deputy, Role.OTHER_DEPUTY, reason))
    if path.director is not None:
        candidates.append(
            Candidate(
                path.director,
                Role.DIRECTOR,
                _("%(bureau)s owns it: %(department)s") % {"bureau": bureau, "department": department},
            )
        )
    if settings.MEETING_SUBSTITUTE_DEPARTMENT_HEADS and path.department_head is not None:
        candidates.append(
            Candidate(
                path.department_head,
                Role.DEPARTMENT_HEAD,
                _("Head of the owning department: %(department)s") % {"department": department},
            )
        )
    return candidates, problems


def organisation_problems() -> list[str]:
    """Every category without a full path to a deputy mayor and a director,
    and every owning department without a head to review requests; empty
    while the organisation is not loaded at all (a fresh install)."""
    if not Department.objects.exists():
        return []
    problems: list[str] = []
    if not deputy_mayors():
        problems.append(_("There is no active deputy mayor."))
    heads_missing: dict[int, Department] = {}
    for category in Category.values:
        path = owner_path(category)
        problems.extend(path.problems)
        if path.department is not None and path.department_head is None:
            heads_missing[path.department.pk] = path.department
    problems.extend(
        _("%(department)s owns categories but has no active department head to review requests.")
        % {"department": department}
        for department in heads_missing.values()
    )
    return problems
