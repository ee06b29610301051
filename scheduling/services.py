"""Every write to the organisation data goes through here."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from schedule.models import Calendar

from scheduling.models import Department, Official


def calendar_for(*, name: str, slug: str) -> Calendar:
    """The django-scheduler calendar with this slug, created if missing."""
    calendar, _created = Calendar.objects.get_or_create(slug=slug, defaults={"name": name})
    return calendar


@transaction.atomic
def official_create(
    *,
    name: str,
    title: str,
    rank: str,
    department: Department | None = None,
    user=None,
    substitutes_for: Official | None = None,
    substitution_order: int = 1,
    calendar_slug: str | None = None,
) -> Official:
    """An official with their own django-scheduler calendar."""
    slug = calendar_slug or f"official-{slugify(title, allow_unicode=False) or 'x'}-{Official.objects.count() + 1}"
    official = Official(
        name=name,
        title=title,
        rank=rank,
        department=department,
        user=user,
        substitutes_for=substitutes_for,
        substitution_order=substitution_order,
        calendar=calendar_for(name=f"{title} {name}", slug=slug),
    )
    official.full_clean()
    official.save()
    return official


def substitution_chain(official: Official) -> list[Official]:
    """Who may meet a citizen in ``official``'s place, nearest first:
    the official's substitutes in order, then theirs (mayor → deputy
    mayors → directors)."""
    chain: list[Official] = []
    frontier = [official]
    seen = {official.pk}
    while frontier:
        nxt = []
        for current in frontier:
            for substitute in current.substitutes.filter(is_active=True).order_by("substitution_order", "pk"):
                if substitute.pk not in seen:
                    seen.add(substitute.pk)
                    chain.append(substitute)
                    nxt.append(substitute)
        frontier = nxt
    return chain

