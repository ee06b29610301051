"""The management cards' PDFs: one neighborhood's card
(/neighborhoods/<code>/card.pdf, staff only), the all-cards file built by a
celery job (/staff/cards/all-cards/, with a progress page that refreshes
itself, no JavaScript), and the briefing before a field visit.

Who may: the card PDF needs ``visits.view_suggestion``; the briefing
``visits.view_fieldvisit``. A department's staff get both restricted to their
department's suggestions; the all-cards file holds everything and is only
for those who see every suggestion (secretariat, budget & policy,
officials). Anonymous visitors go to the staff login; others get 403. The
file itself is in the private storage under an unguessable name and leaves
only through ``batch_download`` (scheduling/private_files.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from scheduling.access import require
from scheduling.dates import local_when
from scheduling.decorators import staff_required
from scheduling.models import Neighborhood
from scheduling.pdf import pdf_response
from scheduling.people import label_related, staff_label
from scheduling.private_files import private_file_response
from visits.cards import pdf as cards
from visits.models import CardBatch, FieldVisit

PERM_VIEW_SUGGESTION = "visits.view_suggestion"
PERM_VIEW_VISIT = "visits.view_fieldvisit"
#: How many earlier batches the page lists.
BATCHES_LISTED = 10


def _need_everything(request) -> None:
    if not (request.user.has_perm(PERM_VIEW_SUGGESTION) and cards.sees_all_suggestions(request.user)):
        raise PermissionDenied


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


@staff_required
def card_pdf(request, code: str):
    require(request.user, PERM_VIEW_SUGGESTION)
    neighborhood = get_object_or_404(Neighborhood, code=code)
    data = cards.card_pdf_render(
        neighborhood=neighborhood, department_id=cards.department_scope(request.user), request=request
    )
    return pdf_response(
        data,
        filename=f"{cards.card_title(neighborhood)} {_stamp()}.pdf",
        fallback=f"card-{neighborhood.code}-{_stamp()}",
    )


@staff_required
def visit_briefing(request, pk: int):
    require(request.user, PERM_VIEW_VISIT)
    visit = get_object_or_404(FieldVisit.objects.select_related("neighborhood"), pk=pk)
    data = cards.visit_briefing_render(visit=visit, department_id=cards.department_scope(request.user), request=request)
    day = timezone.localtime(visit.start).strftime("%Y%m%d")
    return pdf_response(
        data, filename=f"{cards.briefing_title(visit)} {day}.pdf", fallback=f"briefing-{visit.neighborhood.code}-{day}"
    )


def _batch_row(batch: CardBatch) -> dict:
    return {
        "batch": batch,
        "requested": local_when(batch.created_at),
        "finished": local_when(batch.finished_at) if batch.finished_at else "",
        "running": batch.status in (CardBatch.Status.PENDING, CardBatch.Status.RUNNING),
        "requester": staff_label(batch.requested_by),
        "percent": round(100 * batch.done / batch.total) if batch.total else 0,
    }


@staff_required
@require_http_methods(["GET", "POST"])
def batch_list(request):
    _need_everything(request)
    if request.method == "POST":
        batch = cards.card_batch_start(actor=request.user)
        messages.success(request, _("The PDF of all cards has been requested."))
        return redirect("staff_cards:batch", pk=batch.pk)
    batches = CardBatch.objects.select_related(*label_related("requested_by"))[:BATCHES_LISTED]
    return render(
        request,
        "visits/cards/batch_list.html",
        {"rows": [_batch_row(b) for b in batches], "neighborhood_count": Neighborhood.objects.count()},
    )


@staff_required
def batch_detail(request, pk: int):
    _need_everything(request)
    batch = get_object_or_404(CardBatch.objects.select_related(*label_related("requested_by")), pk=pk)
    return render(request, "visits/cards/batch_detail.html", _batch_row(batch))


@staff_required
def batch_download(request, pk: int):
    _need_everything(request)
    batch = get_object_or_404(CardBatch, pk=pk)
    if batch.status != CardBatch.Status.DONE or not batch.pdf:
        raise Http404
    day = timezone.localtime(batch.finished_at or batch.created_at).strftime("%Y%m%d")
    return private_file_response(
        batch.pdf,
        filename=f"{cards.all_cards_title()} {day}.pdf",
        content_type="application/pdf",
        fallback=f"all-cards-{day}",
    )
