"""Following a neighborhood, the resident's pages (no login), under
/neighborhoods/: the form, the code (SMS), the e-mail's confirmation link,
the unfollow link. Views parse, call one service, render or redirect."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from scheduling.client_ip import client_ip
from scheduling.errors import TongtongError
from scheduling.http import private_page
from scheduling.models import Neighborhood
from scheduling.rate_limits import token_lookup_limit
from scheduling.verification import (
    Purpose,
    verification_for_key,
    verification_start,
)
from scheduling.views import verification_code_page, verification_code_posted
from visits.follows import services
from visits.follows.forms import FollowForm
from visits.models import NeighborhoodFollow

PENDING_KEY = "tongtong.visits.follow_pending"
follow_limit = token_lookup_limit("visits-follow")


def _neighborhood(code: str) -> Neighborhood:
    return get_object_or_404(Neighborhood, code=code)


@private_page
@follow_limit
@require_http_methods(["GET", "HEAD", "POST"])
def follow(request, code: str):
    neighborhood = _neighborhood(code)
    form = FollowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["channel"] == NeighborhoodFollow.Channel.EMAIL:
                services.follow_by_email(neighborhood=neighborhood, email=form.cleaned_data["email"])
                return render(
                    request,
                    "visits/follow_done.html",
                    {"neighborhood": neighborhood, "email": form.cleaned_data["email"], "confirmed": False},
                )
            verification = verification_start(
                purpose=Purpose.FOLLOW,
                phone=form.cleaned_data["phone"],
                client_address=client_ip(request),
                payload={"neighborhood": neighborhood.code},
            )
        except TongtongError as error:
            form.add_error(None, str(error))
        else:
            request.session[PENDING_KEY] = str(verification.key)
            return redirect("cards:follow_verify", code=neighborhood.code)
    return render(request, "visits/follow.html", {"neighborhood": neighborhood, "form": form})


@private_page
@follow_limit
@require_http_methods(["GET", "HEAD", "POST"])
def follow_verify(request, code: str):
    neighborhood = _neighborhood(code)
    key = request.session.get(PENDING_KEY)
    verification = verification_for_key(key) if key else None
    if verification is None or verification.payload.get("neighborhood") != neighborhood.code:
        return redirect("cards:follow", code=neighborhood.code)
    error = ""
    if request.method == "POST":
        verified, error = verification_code_posted(request, verification)
        if verified:
            services.follow_by_phone(neighborhood=neighborhood, verification=verified)
            request.session.pop(PENDING_KEY, None)
            return render(request, "visits/follow_done.html", {"neighborhood": neighborhood, "confirmed": True})
        if not error:  # a new code was sent
            return redirect("cards:follow_verify", code=neighborhood.code)
    return verification_code_page(
        request,
        verification,
        error,
        verify_url=reverse("cards:follow_verify", args=[neighborhood.code]),
        note=_("Once the code is right, we text you this neighborhood's news."),
        button=_("Verify and follow"),
        back_url=reverse("cards:follow", args=[neighborhood.code]),
        back_label=_("Wrong number? Type it again"),
    )


@private_page
@follow_limit
@require_http_methods(["GET", "HEAD"])
def follow_confirm(request, token: str):
    followed = services.follow_confirm(token)
    if followed is None:
        raise Http404("no such confirmation link")
    return render(request, "visits/follow_done.html", {"neighborhood": followed.neighborhood, "confirmed": True})


@private_page
@follow_limit
@require_http_methods(["GET", "HEAD", "POST"])
def unfollow(request, token: str):
    """A confirmation page (a link preview or a mail scanner must not
    unfollow by opening the link), then the unfollow itself."""
    followed = services.follow_for_token(token)
    if request.method == "POST":
        if followed is not None:
            services.unfollow(token)
        return render(request, "visits/unfollow.html", {"done": True})
    if followed is None:
        return render(request, "visits/unfollow.html", {"done": True})
    return render(request, "visits/unfollow.html", {"done": False, "neighborhood": followed.neighborhood})
