"""Every page whose address holds a secret (a citizen's status link, a
resident's answer link) is kept out of caches, search engines and Referer
headers by the one decorator, ``scheduling.http.private_page``, whatever the
page answers: the page itself, a made-up token's 404, a wrong method.

Before, meetings and cards each had their own copy, and the cards' copy had
drifted: a 404 raised inside its page went out without the headers."""

import pytest
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from scheduling.http import PRIVATE_HEADERS, private_page

pytestmark = pytest.mark.django_db

MADE_UP = "made-up-token-" + "x" * 30

PRIVATE_URLS = [
    reverse("meetings:request_received"),
    reverse("meetings:request_done", args=["TT-2026-0001"]),
    reverse("meetings:status", args=[MADE_UP]),
    reverse("meetings:status_cancel", args=[MADE_UP]),
    reverse("meetings:status_move", args=[MADE_UP]),
    reverse("meetings:status_accept_offer", args=[MADE_UP]),
    reverse("meetings:appointment_ics", args=[MADE_UP]),
    reverse("meetings:feedback", args=[MADE_UP]),
    reverse("meetings:feedback_done", args=[MADE_UP]),
    reverse("cards:resident_answer", args=[MADE_UP]),
]


def _assert_private(response):
    assert response["Cache-Control"] == "no-store, private"
    assert response["Referrer-Policy"] == "strict-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_every_secret_address_is_private_whatever_it_answers(client, url):
    response = client.get(url)
    assert response.status_code in {200, 302, 404, 405, 410}
    _assert_private(response)


def test_a_404_raised_inside_gets_the_same_headers_as_the_page():
    @private_page
    def page(request, token):
        if token != "right":
            raise Http404("no such link")
        return HttpResponse("the page")

    factory = RequestFactory()
    found = page(factory.get("/x/right/"), "right")
    missing = page(factory.get("/x/wrong/"), "wrong")

    assert (found.status_code, missing.status_code) == (200, 404)
    for response in (found, missing):
        assert {header: response[header] for header in PRIVATE_HEADERS} == PRIVATE_HEADERS
