"""Photos of visits, tours and suggestions, mounted at /photos/ (issue 14).

Every photo is a private file (``scheduling/private_files.py``); these views
are the only way out, with one rule per kind of photo:

- a visit's or a tour's photo: anyone once the record is published, else
  whoever may read the record (``visits.view_fieldvisit`` /
  ``visits.view_themedtour``: the secretariat, officials, departments);
- a suggestion's photo: anyone if it shows the finished works (the public
  card shows it), else whoever may see the suggestion (the secretariat,
  budget & policy, officials; a department only its own).

Anyone else gets 404, as if the photo did not exist: an anonymous visitor
is not sent to the login page for a photo, and a stranger learns nothing.
"""

from __future__ import annotations

import posixpath

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from scheduling.private_files import private_file_response
from visits.cards.selectors import suggestions_visible_to
from visits.models import SuggestionPhoto, VisitPhoto

PERM_VIEW_VISIT = "visits.view_fieldvisit"
PERM_VIEW_TOUR = "visits.view_themedtour"
#: The stored extension (``record_services.PHOTO_FORMATS``) → its media type.
CONTENT_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def _photo_response(photo, *, public: bool):
    extension = posixpath.splitext(photo.image.name)[1].lower()
    if extension not in CONTENT_TYPES:
        raise Http404
    return private_file_response(
        photo.image,
        filename=f"photo-{photo.pk}{extension}",
        content_type=CONTENT_TYPES[extension],
        as_attachment=False,
        public=public,
    )


@require_safe
def visit_photo(request, pk: int):
    photo = get_object_or_404(VisitPhoto.objects.select_related("visit", "tour"), pk=pk)
    public = photo.is_public
    if not public and not request.user.has_perm(PERM_VIEW_VISIT if photo.visit_id else PERM_VIEW_TOUR):
        raise Http404
    return _photo_response(photo, public=public)


@require_safe
def suggestion_photo(request, pk: int):
    photo = get_object_or_404(SuggestionPhoto, pk=pk)
    public = photo.is_public
    if not public and not suggestions_visible_to(request.user).filter(pk=photo.suggestion_id).exists():
        raise Http404
    return _photo_response(photo, public=public)
