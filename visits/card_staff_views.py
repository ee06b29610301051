"""Placeholder: being written (issue 5)."""

from django.http import Http404


def card_index(request, *args, **kwargs):
    raise Http404


def department_inbox(request, *args, **kwargs):
    raise Http404


def joint_review_board(request, *args, **kwargs):
    raise Http404


def priority_ranking(request, *args, **kwargs):
    raise Http404


def suggestion_new(request, *args, **kwargs):
    raise Http404


def suggestion_detail(request, *args, **kwargs):
    raise Http404


def suggestion_action(request, *args, **kwargs):
    raise Http404


def staff_card(request, *args, **kwargs):
    raise Http404
