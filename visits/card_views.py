"""The public pages of the neighborhood management cards (no login):
/neighborhoods/ (every neighborhood with its suggestions counted by status),
/neighborhoods/<code>/ (the public card) and the resident's "is it
resolved?" answer, reached by a signed link. Reads come from
``visits.card_public``; the one write is ``card_services``'."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from scheduling.dates import public_date
from scheduling.errors import TongtongError
from scheduling.rate_limits import token_lookup_limit
from visits import card_public, card_services, selectors
from visits.models import FieldVisit, Suggestion


@require_http_methods(["GET", "HEAD"])
def neighborhood_list(request):
    return render(request, "visits/cards/public_list.html", {"overview": card_public.neighborhood_overview()})


@require_http_methods(["GET", "HEAD"])
def neighborhood_card(request, code):
    card = card_public.public_card(code)
    if card is None:
        raise Http404("no such neighborhood")
    # The neighborhood's schedule beside its card, in one query: the next
    # public visits and the last one whose results are published (a
    # neighborhood has one visit a cycle, so the rows are few).
    visits = list(selectors.neighborhood_public_visits(card.code, timezone.now()))
    upcoming = [
        {"visit": visit, "when": _when(visit.start), "purpose": visit.purpose_labels()}
        for visit in visits
        if visit.status == FieldVisit.Status.PLANNED
    ][:3]
    last = next((visit for visit in reversed(visits) if visit.status == FieldVisit.Status.HELD), None)
    reported = {"visit": last, "when": _when(last.start)} if last else None
    return render(
        request, "visits/cards/public_card.html", {"card": card, "upcoming_visits": upcoming, "last_visit": reported}
    )


def _when(moment) -> str:
    local = timezone.localtime(moment)
    return f"{public_date(local.date())} {local:%H:%M}"


# --- The resident's answer ---------------------------------------------------------------


class ResidentAnswerForm(forms.Form):
    resolved = forms.ChoiceField(
        label=gettext_lazy("Is it resolved?"),
        choices=[("yes", gettext_lazy("Yes, it is resolved")), ("no", gettext_lazy("No, it is not resolved"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose yes or no."),
            "invalid_choice": gettext_lazy("Choose yes or no."),
        },
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything you would like to add? (optional)"),
        help_text=gettext_lazy("Do not write your name or phone number: the department reads it."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "krds-input"}),
    )


#: The pages of a signed link keep it out of caches, search engines and
#: Referer headers (as the meetings status pages do).
REFERRER_POLICY = "strict-origin"


def _private(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        response["Referrer-Policy"] = REFERRER_POLICY
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _closed_page(request, link: card_public.AnswerLink):
    if link.state == card_public.INVALID:
        heading = _("We could not find this question")
        text = _("The link may be incomplete. Check that you copied the whole link from the message.")
        status = 404
    elif link.state == card_public.EXPIRED:
        heading = _("This link has expired")
        text = _("The question can be answered for two months after the works are completed.")
        status = 410
    else:
        heading = _("This question is closed")
        text = _("The suggestion is no longer waiting for your answer; its card shows how it stands now.")
        status = 410
    context = {"heading": heading, "text": text, "suggestion": link.suggestion}
    return render(request, "visits/cards/resident_answer_done.html", context, status=status)


def _answered_page(request, suggestion: Suggestion, *, notice: str = ""):
    context = {
        "heading": _("Your answer is on the card"),
        "text": notice,
        "suggestion": suggestion,
        "answer": suggestion.get_resolved_answer_display(),
        "reopened": suggestion.resolved_answer == Suggestion.Resolved.NO,
    }
    return render(request, "visits/cards/resident_answer_done.html", context)


@_private
@token_lookup_limit("cards-resident-answer")
@require_http_methods(["GET", "HEAD", "POST"])
def resident_answer(request, token):
    """GET: the question (resolved yes/no, and a comment); POST: the answer.
    A forged link is a 404, an expired or closed one a 410, an answered one
    shows the answer."""
    link = card_public.answer_link(token)
    if link.state == card_public.ANSWERED:
        return _answered_page(request, link.suggestion)
    if link.state != card_public.OPEN:
        return _closed_page(request, link)
    suggestion = link.suggestion
    form = ResidentAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            suggestion = card_services.suggestion_resident_answer(
                suggestion=suggestion,
                resolved=form.cleaned_data["resolved"] == "yes",
                comment=form.cleaned_data["comment"],
            )
        except TongtongError as error:  # answered meanwhile (another tab, a double tap)
            suggestion.refresh_from_db()
            if suggestion.resolved_answer:
                return _answered_page(request, suggestion, notice=str(error))
            return _closed_page(request, card_public.AnswerLink(card_public.CLOSED, suggestion))
        messages.success(request, _("Thank you. Your answer was recorded."))
        return redirect("cards:resident_answer", token=token)
    return render(
        request,
        "visits/cards/resident_answer.html",
        {"form": form, "suggestion": suggestion, "token": token},
    )
