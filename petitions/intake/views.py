"""The secretariat's intake pages under ``/staff/petitions/intake/``: a
petition taken by phone, at the desk or registered from 국민신문고 by hand,
and the 국민신문고 CSV import. Views parse, call one service, redirect."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from petitions.errors import PetitionError
from petitions.intake.desk import petition_take
from petitions.intake.epeople import COLUMNS, MAX_FILE_BYTES, REQUIRED, epeople_import
from petitions.intake.forms import ImportForm, IntakeForm
from scheduling.access import require
from scheduling.decorators import staff_required
from scheduling.errors import TongtongError

PERM_INTAKE = "petitions.add_petition"


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def intake(request):
    require(request.user, PERM_INTAKE)
    form = IntakeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            petition, created = petition_take(**form.service_arguments(), actor=request.user)
        except (PetitionError, ValidationError) as error:
            form.add_error(None, " ".join(getattr(error, "messages", None) or [str(error)]))
        else:
            if created:
                messages.success(
                    request,
                    _("Petition %(reference)s is saved (%(channel)s).")
                    % {"reference": petition.reference, "channel": petition.get_channel_display()},
                )
            else:
                messages.info(
                    request, _("This petition was already saved as %(reference)s.") % {"reference": petition.reference}
                )
            return redirect("petition_intake:intake")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "petitions/intake/intake.html",
        {"form": form, "retention_years": settings.PETITION_RETENTION_YEARS},
        status=status,
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def epeople_import_page(request):
    require(request.user, PERM_INTAKE)
    result = error = None
    problems: list[str] = []
    form = ImportForm(request.POST or None, request.FILES or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data["file"].read(MAX_FILE_BYTES + 1)
        try:
            result = epeople_import(data=data, actor=request.user)
        except TongtongError as failure:
            error, problems = str(failure), failure.errors
        else:
            messages.success(
                request,
                ngettext(
                    "%(created)d petition imported; %(skipped)d already registered.",
                    "%(created)d petitions imported; %(skipped)d already registered.",
                    len(result.created),
                )
                % {"created": len(result.created), "skipped": len(result.skipped)},
            )
    columns = [(aliases[1], aliases[0], column in REQUIRED) for column, aliases in COLUMNS.items()]
    return render(
        request,
        "petitions/intake/import.html",
        {"form": form, "result": result, "error": error, "problems": problems, "columns": columns},
        status=400 if error or form.errors else 200,
    )
