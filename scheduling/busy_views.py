"""The secretariat's page to import an official's busy times (.ics)."""

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from scheduling.access import require
from scheduling.busy_import import busy_times_import
from scheduling.errors import TongtongError
from scheduling.models import Official


class BusyImportForm(forms.Form):
    file = forms.FileField(label=_("Calendar file (.ics)"))


def busy_import(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    require(request.user, "schedule.add_event")
    official = get_object_or_404(Official.objects.select_related("calendar"), pk=pk)
    result = error = None
    if request.method == "POST":
        form = BusyImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                # Read one byte past the limit so the service can reject it.
                data = upload.read(2 * 1024 * 1024 + 1)
                result = busy_times_import(official=official, data=data, actor=request.user)
            except TongtongError as exc:
                error = str(exc)
    else:
        form = BusyImportForm()
    status = 400 if error or form.errors else 200
    return render(
        request,
        "scheduling/busy_import.html",
        {"official": official, "form": form, "result": result, "error": error},
        status=status,
    )
