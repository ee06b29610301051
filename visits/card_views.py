"""Placeholder: being written (issue 5)."""

from django.http import Http404


def neighborhood_list(request, *args, **kwargs):
    raise Http404


def resident_answer(request, *args, **kwargs):
    raise Http404


def neighborhood_card(request, *args, **kwargs):
    raise Http404
