"""The survey's pages: the citizen's form behind the private link (public,
rate limited like the status pages, never cached, no referrer), and the
staff page of the citizens' comments.

The link's token is looked up by its hash: an unknown token is a 404, an
expired link says so (410), an answered one says thank you."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from petitions.errors import PetitionError
from petitions.surveys import selectors
from petitions.surveys.forms import SurveyForm
from petitions.surveys.services import invitation_for_token, is_expired, survey_answer, survey_opt_out
from scheduling.access import require
from scheduling.decorators import staff_required
from scheduling.http import private_page
from scheduling.rate_limits import token_lookup_limit

survey_limit = token_lookup_limit("petitions-survey")

#: Who reads the citizens' comments: the secretariat.
VIEW_COMMENTS = "petitions.view_surveyinvitation"


def _invitation_or_404(token: str):
    invitation = invitation_for_token(token)
    if invitation is None:
        raise Http404("no such survey link")
    return invitation


def _expired(request, invitation):
    return render(request, "petitions/surveys/expired.html", {"invitation": invitation}, status=410)


@private_page
@survey_limit
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request, token):
    invitation = _invitation_or_404(token)
    if invitation.answered_at is not None:
        already = request.method == "POST"
        return render(request, "petitions/surveys/thanks.html", {"invitation": invitation, "already": already})
    if is_expired(invitation):
        return _expired(request, invitation)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_answer(invitation=invitation, scores=form.scores(), comment=form.cleaned_data["comment"])
        except PetitionError as error:
            form.add_error(None, str(error))
        else:
            return redirect("surveys:answer", token=token)
    context = {"form": form, "invitation": invitation, "token": token}
    return render(request, "petitions/surveys/answer.html", context, status=400 if form.errors else 200)


@private_page
@survey_limit
@require_POST
def opt_out(request, token):
    invitation = _invitation_or_404(token)
    survey_opt_out(invitation=invitation)
    return render(request, "petitions/surveys/opted_out.html", {"invitation": invitation})


@require_http_methods(["GET", "HEAD"])
@staff_required
def comments(request):
    """The citizens' comments of every round, for the secretariat only."""
    require(request.user, VIEW_COMMENTS)
    rounds = selectors.rounds_with_results()
    return render(
        request,
        "petitions/surveys/staff_comments.html",
        {"rounds": rounds, "comments": selectors.comments()},
    )
