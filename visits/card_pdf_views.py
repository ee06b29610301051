"""Placeholder: being written (issue 5)."""

from django.http import Http404


def card_pdf(request, *args, **kwargs):
    raise Http404


def batch_list(request, *args, **kwargs):
    raise Http404


def batch_detail(request, *args, **kwargs):
    raise Http404


def batch_download(request, *args, **kwargs):
    raise Http404


def visit_briefing(request, *args, **kwargs):
    raise Http404
