"""The record of a field visit and the themed tours (민생탐방), mounted at
/staff/visits/records/.

The secretariat edits; officials and department staff read (default model
permissions, see ``VisitsConfig.ready``). Views are thin: a form parses, one
service of ``visits.records.services`` acts, its ``TongtongError`` is shown in
the form it came from with everything typed kept; success is a message and a
redirect (POST/redirect/GET).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import holidays
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scheduling.access import require
from scheduling.dates import korean_date, local_span
from scheduling.decorators import staff_required
from scheduling.errors import TongtongError
from scheduling.models import Official
from visits.cards import services as card_services
from visits.models import FieldVisit, Suggestion, ThemedTour, VisitPhoto
from visits.records import services
from visits.records.forms import PhotoForm, SuggestionForm, TourForm, TourRecordForm, VisitRecordForm
from visits.rotation.seasons import CHUSEOK, SEOLLAL, seasonal_prompts

PERM_VIEW_VISIT = "visits.view_fieldvisit"
PERM_CHANGE_VISIT = "visits.change_fieldvisit"
PERM_VIEW_TOUR = "visits.view_themedtour"
PERM_ADD_TOUR = "visits.add_themedtour"
PERM_CHANGE_TOUR = "visits.change_themedtour"
PERM_ADD_PHOTO = "visits.add_visitphoto"
PERM_DELETE_PHOTO = "visits.delete_visitphoto"
PERM_VIEW_SUGGESTION = "visits.view_suggestion"
PERM_ADD_SUGGESTION = "visits.add_suggestion"

STATUS_BADGES = {
    "planned": "bg-light-primary",
    "held": "bg-light-success",
    "postponed": "bg-light-warning",
    "cancelled": "bg-light-gray",
}

#: holidays.KR's English names of the lunar holidays' main days.
_LUNAR_HOLIDAY_NAMES = {SEOLLAL: "Korean New Year", CHUSEOK: "Chuseok"}


def lunar_holidays_after(today: dt.date) -> dict[str, dt.date]:
    """The next Seollal and Chuseok (main days) on or after ``today``."""
    calendar = holidays.KR(years=[today.year, today.year + 1], language="en_US")
    found: dict[str, dt.date] = {}
    for day, name in sorted(calendar.items()):
        for key, wanted in _LUNAR_HOLIDAY_NAMES.items():
            if key not in found and day >= today and wanted in name.split("; "):
                found[key] = day
    return found


# --- Shared parts of a visit's and a tour's record page -------------------------


def _record_context(request, *, photos, suggestions, bound: dict, failed: str | None, neighborhood=None) -> dict:
    user = request.user
    return {
        "photos": photos,
        "suggestions": suggestions,
        "photo_form": bound.get("photo") or PhotoForm(),
        "suggestion_form": bound.get("suggestion") or SuggestionForm(initial={"neighborhood": neighborhood}),
        "can_add_photo": user.has_perm(PERM_ADD_PHOTO),
        "can_delete_photo": user.has_perm(PERM_DELETE_PHOTO),
        "can_add_suggestion": user.has_perm(PERM_ADD_SUGGESTION),
        "can_view_suggestions": user.has_perm(PERM_VIEW_SUGGESTION),
        "max_photos": services.MAX_PHOTOS,
        "failed": failed,
    }


def _photo_add(request, *, visit=None, tour=None):
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.visit_photo_add(
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
                visit=visit,
                tour=tour,
                actor=request.user,
            )
        except TongtongError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The photo was added without its location data."))
            return None
    return form


def _suggestion_add(request, *, source, visit=None, tour=None):
    form = SuggestionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            card_services.suggestion_record(
                neighborhood=data["neighborhood"],
                source=source,
                visit=visit,
                tour=tour,
                title=data["title"],
                description=data["description"],
                category=data["category"],
                raised_by=data["raised_by"],
                lead_department=data["lead_department"],
                actor=request.user,
            )
        except TongtongError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The suggestion was recorded."))
            return None
    return form


# --- A visit's record -----------------------------------------------------------


def _visit_for(request, pk: int) -> FieldVisit:
    require(request.user, PERM_VIEW_VISIT)
    return get_object_or_404(FieldVisit.objects.select_related("neighborhood", "official", "cycle"), pk=pk)


def _visit_page(request, visit: FieldVisit, *, bound: dict | None = None, failed: str | None = None):
    bound = bound or {}
    can_edit = request.user.has_perm(PERM_CHANGE_VISIT)
    context = {
        "visit": visit,
        "when": local_span(visit.start, visit.end),
        "badge": STATUS_BADGES.get(visit.status, "bg-light-gray"),
        "can_edit": can_edit,
        "record_form": bound.get("record") or (VisitRecordForm.for_visit(visit) if can_edit else None),
        "officials_along": list(visit.officials.all()),
        "departments_along": list(visit.departments.all()),
        "groups_along": list(visit.monitor_groups.all()),
        "agenda": [
            (_("dialogue with residents"), visit.agenda_dialogue),
            (_("current issues heard"), visit.agenda_current_issues),
            (_("encouraging the staff"), visit.agenda_encourage_staff),
            (_("site tour"), visit.agenda_site_tour),
        ],
        **_record_context(
            request,
            photos=list(visit.photos.all()),
            suggestions=list(visit.suggestions.select_related("neighborhood", "lead_department")),
            bound=bound,
            failed=failed,
            neighborhood=visit.neighborhood,
        ),
    }
    return render(request, "visits/staff/record.html", context)


@staff_required
def visit_record(request, visit_pk):
    visit = _visit_for(request, visit_pk)
    if request.method != "POST":
        return _visit_page(request, visit)
    require(request.user, PERM_CHANGE_VISIT)
    form = VisitRecordForm.for_visit(visit, data=request.POST)
    if form.is_valid():
        try:
            services.visit_record_update(visit=visit, actor=request.user, **form.cleaned_data)
        except TongtongError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The visit's record was saved."))
            return redirect("staff_visit_records:visit", visit_pk=visit.pk)
    visit.refresh_from_db()
    return _visit_page(request, visit, bound={"record": form}, failed="record")


@staff_required
@require_POST
def visit_photo_add(request, visit_pk):
    visit = _visit_for(request, visit_pk)
    require(request.user, PERM_ADD_PHOTO)
    form = _photo_add(request, visit=visit)
    if form is None:
        return redirect(reverse("staff_visit_records:visit", kwargs={"visit_pk": visit.pk}) + "#photos")
    return _visit_page(request, visit, bound={"photo": form}, failed="photo")


@staff_required
@require_POST
def visit_suggestion_add(request, visit_pk):
    visit = _visit_for(request, visit_pk)
    require(request.user, PERM_ADD_SUGGESTION)
    form = _suggestion_add(request, source=Suggestion.Source.FIELD_VISIT, visit=visit)
    if form is None:
        return redirect(reverse("staff_visit_records:visit", kwargs={"visit_pk": visit.pk}) + "#suggestions")
    return _visit_page(request, visit, bound={"suggestion": form}, failed="suggestion")


@staff_required
@require_POST
def photo_delete(request, pk):
    require(request.user, PERM_DELETE_PHOTO)
    photo = get_object_or_404(VisitPhoto, pk=pk)
    visit_id, tour_id = photo.visit_id, photo.tour_id
    services.visit_photo_delete(photo=photo, actor=request.user)
    messages.success(request, _("The photo was deleted."))
    if visit_id:
        return redirect(reverse("staff_visit_records:visit", kwargs={"visit_pk": visit_id}) + "#photos")
    return redirect(reverse("staff_visit_records:tour", kwargs={"pk": tour_id}) + "#photos")


# --- Themed tours ---------------------------------------------------------------


def _open_prompts(today: dt.date) -> list[dict]:
    """The seasonal prompts of today, without those already planned."""
    shown = []
    for prompt in seasonal_prompts(today, lunar_holidays=lunar_holidays_after(today)):
        planned = ThemedTour.objects.filter(
            theme=prompt.theme,
            status__in=[ThemedTour.Status.PLANNED, ThemedTour.Status.HELD],
            start__date__gte=prompt.window_start,
            start__date__lte=prompt.window_end,
        ).exists()
        if planned:
            continue
        query = urlencode({"theme": prompt.theme, "group": prompt.group, "title": str(prompt.title)})
        shown.append(
            {
                "prompt": prompt,
                "window": f"{korean_date(prompt.window_start)} – {korean_date(prompt.window_end)}",
                "url": f"{reverse('staff_visit_records:tour_create')}?{query}",
            }
        )
    return shown


@staff_required
def tours(request):
    require(request.user, PERM_VIEW_TOUR)
    today = timezone.localdate()
    all_tours = ThemedTour.objects.select_related("official").prefetch_related("neighborhoods")
    upcoming = list(all_tours.filter(start__date__gte=today).order_by("start"))
    past = list(all_tours.filter(start__date__lt=today).order_by("-start")[:50])

    def rows(items):
        return [
            {"tour": tour, "when": local_span(tour.start, tour.end), "badge": STATUS_BADGES.get(tour.status)}
            for tour in items
        ]

    can_add = request.user.has_perm(PERM_ADD_TOUR)
    return render(
        request,
        "visits/staff/tours.html",
        {
            "upcoming": rows(upcoming),
            "past": rows(past),
            "can_add": can_add,
            "prompts": _open_prompts(today) if can_add else [],
            "today": korean_date(today),
        },
    )


def _tour_form_page(request, form, tour=None):
    return render(request, "visits/staff/tour_form.html", {"form": form, "tour": tour})


@staff_required
def tour_create(request):
    require(request.user, PERM_ADD_TOUR)
    if request.method == "POST":
        form = TourForm(request.POST)
        if form.is_valid():
            try:
                tour = services.tour_create(actor=request.user, **form.cleaned_data)
            except TongtongError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The tour was planned and added to the calendars."))
                return redirect("staff_visit_records:tour", pk=tour.pk)
        return _tour_form_page(request, form)
    # A seasonal prompt's button prefills theme, group and title.
    initial = {
        "official": Official.objects.filter(rank=Official.Rank.MAYOR, is_active=True).first(),
        "day": timezone.localdate() + dt.timedelta(days=7),
        "start_time": dt.time(10, 0),
        "end_time": dt.time(12, 0),
        "group": ThemedTour.Group.ISSUE,
    }
    if request.GET.get("theme") in ThemedTour.Theme.values:
        initial["theme"] = request.GET["theme"]
    if request.GET.get("group") in ThemedTour.Group.values:
        initial["group"] = request.GET["group"]
    if request.GET.get("title"):
        initial["title"] = request.GET["title"][:150]
    return _tour_form_page(request, TourForm(initial=initial))


def _tour_for(request, pk: int) -> ThemedTour:
    require(request.user, PERM_VIEW_TOUR)
    return get_object_or_404(ThemedTour.objects.select_related("official"), pk=pk)


@staff_required
def tour_edit(request, pk):
    tour = _tour_for(request, pk)
    require(request.user, PERM_CHANGE_TOUR)
    if request.method == "POST":
        form = TourForm.for_tour(tour, data=request.POST)
        if form.is_valid():
            try:
                services.tour_update(tour=tour, actor=request.user, **form.cleaned_data)
            except TongtongError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The tour was changed; the calendars follow."))
                return redirect("staff_visit_records:tour", pk=tour.pk)
        return _tour_form_page(request, form, tour)
    return _tour_form_page(request, TourForm.for_tour(tour), tour)


def _tour_page(request, tour: ThemedTour, *, bound: dict | None = None, failed: str | None = None):
    bound = bound or {}
    can_edit = request.user.has_perm(PERM_CHANGE_TOUR)
    neighborhoods = list(tour.neighborhoods.all())
    context = {
        "tour": tour,
        "when": local_span(tour.start, tour.end),
        "badge": STATUS_BADGES.get(tour.status, "bg-light-gray"),
        "can_edit": can_edit,
        "record_form": bound.get("record") or (TourRecordForm.for_tour(tour) if can_edit else None),
        "neighborhoods": neighborhoods,
        "sites": [line for line in tour.sites.splitlines() if line.strip()],
        "departments": list(tour.departments.all()),
        **_record_context(
            request,
            photos=list(tour.photos.all()),
            suggestions=list(tour.suggestions.select_related("neighborhood", "lead_department")),
            bound=bound,
            failed=failed,
            neighborhood=neighborhoods[0] if neighborhoods else None,
        ),
    }
    return render(request, "visits/staff/tour_record.html", context)


@staff_required
def tour_record(request, pk):
    tour = _tour_for(request, pk)
    if request.method != "POST":
        return _tour_page(request, tour)
    require(request.user, PERM_CHANGE_TOUR)
    form = TourRecordForm.for_tour(tour, data=request.POST)
    if form.is_valid():
        try:
            services.tour_record_update(tour=tour, actor=request.user, **form.cleaned_data)
        except TongtongError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The tour's record was saved."))
            return redirect("staff_visit_records:tour", pk=tour.pk)
    tour.refresh_from_db()
    return _tour_page(request, tour, bound={"record": form}, failed="record")


@staff_required
@require_POST
def tour_photo_add(request, pk):
    tour = _tour_for(request, pk)
    require(request.user, PERM_ADD_PHOTO)
    form = _photo_add(request, tour=tour)
    if form is None:
        return redirect(reverse("staff_visit_records:tour", kwargs={"pk": tour.pk}) + "#photos")
    return _tour_page(request, tour, bound={"photo": form}, failed="photo")


@staff_required
@require_POST
def tour_suggestion_add(request, pk):
    tour = _tour_for(request, pk)
    require(request.user, PERM_ADD_SUGGESTION)
    form = _suggestion_add(request, source=Suggestion.Source.THEMED_TOUR, tour=tour)
    if form is None:
        return redirect(reverse("staff_visit_records:tour", kwargs={"pk": tour.pk}) + "#suggestions")
    return _tour_page(request, tour, bound={"suggestion": form}, failed="suggestion")
