"""Writes for what happens on a field visit or a themed tour (민생탐방): the
visit's record, photos, the suggestions heard, and the tours themselves with
their django-scheduler events.

The rotation plan and its visits' dates are written by ``visits.rotation.services``;
this module writes what is recorded about them. Every error a user can cause
is a ``TongtongError`` with a translated message.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from scheduling import calendars
from scheduling.errors import TongtongError
from scheduling.models import Department, Neighborhood, Official
from visits.models import FieldVisit, MonitorGroup, ThemedTour, VisitPhoto
from visits.rotation.services import visit_set_status

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 20
#: Larger pictures are refused from their header, before any decoding: a
#: "decompression bomb" of 7071×7071 pixels fits in 105 KB of PNG and took a
#: worker to 852 MB (issue 14). Pillow holds 4 bytes a pixel (RGB too), so a
#: 24 MP picture is 96 MB decoded, and a transparent one needs a second copy
#: to be scaled: 24 MP keeps a worker under 300 MB (bench/hostile_files.py),
#: where 40 MP reached 347–495 MB. It admits a phone's photo (12 MP; the 50
#: and 200 MP modes were refused at 40 MP already) and a 6000×4000 camera
#: photo; a larger one is refused with the limit named.
MAX_PHOTO_PIXELS = 24_000_000
#: What is kept of a photo: its longer side scaled down to this many pixels.
#: A page shows at most about 1,200 CSS pixels (2,400 on a sharp screen), an
#: A4 print at 250 dpi 2,900. 3000 is also half a 6000-pixel camera photo,
#: which the JPEG decoder then reads at half size directly.
MAX_PHOTO_EDGE = 3000
# Pillow's own guard for every image it opens in this process (a warning
# above this, DecompressionBombError above twice this). Kept above the photo
# limit so that an upload between the two gets the photo check's message,
# which names its size and the limit, instead of "not a photo".
Image.MAX_IMAGE_PIXELS = 40_000_000
#: Transparent pictures are scaled with their colours premultiplied by alpha.
PREMULTIPLIED = {"RGBA": "RGBa", "LA": "La"}
#: Pillow's format name → the file extension we store.
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

REASON_REQUIRED = (FieldVisit.Status.POSTPONED, FieldVisit.Status.CANCELLED)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_status(status: str, reason: str) -> None:
    if status not in FieldVisit.Status.values:
        raise TongtongError(_("Choose a valid status."))
    if status in REASON_REQUIRED and not reason.strip():
        raise TongtongError(_("Give the reason why it was postponed or cancelled."))


def _visit_status_set(*, visit: FieldVisit, status: str, reason: str, actor) -> None:
    # The rotation's own status change: it also sets the neighborhood's last
    # visit (held) and frees or restores the official's time in the calendars.
    visit_set_status(visit=visit, status=status, reason=reason, actor=actor)
    visit.refresh_from_db()


# --- The visit record -----------------------------------------------------------


@transaction.atomic
def visit_record_update(
    *,
    visit: FieldVisit,
    actor,
    status: str,
    status_reason: str = "",
    agenda_dialogue: bool,
    agenda_current_issues: bool,
    agenda_encourage_staff: bool,
    agenda_site_tour: bool,
    officials: Iterable[Official] = (),
    departments: Iterable[Department] = (),
    monitor_groups: Iterable[MonitorGroup] = (),
    attendance: int | None = None,
    notes: str = "",
    public_summary: str = "",
    is_published: bool = True,
    record_complete: bool = False,
) -> FieldVisit:
    """Save what happened on a visit. A postponed or cancelled visit needs a
    reason. ``is_published`` keeps the visit on the public pages or off them;
    ``record_complete`` completes the record, which publishes its results
    (the public summary): only a held visit with a summary can be completed.
    Unticking it takes the results back off the public pages."""
    _check_status(status, status_reason)
    if attendance is not None and attendance < 0:
        raise TongtongError(_("The attendance cannot be negative."))
    if record_complete and status != FieldVisit.Status.HELD:
        raise TongtongError(_("Only the record of a visit that was held can be completed."))
    if record_complete and not public_summary.strip():
        raise TongtongError(_("Write the public summary before completing the record: it is published then."))
    visit = FieldVisit.objects.select_for_update(of=("self",)).select_related("neighborhood").get(pk=visit.pk)
    if status != visit.status or (status in REASON_REQUIRED and status_reason.strip() != visit.status_reason):
        _visit_status_set(visit=visit, status=status, reason=status_reason, actor=actor)
    visit.agenda_dialogue = agenda_dialogue
    visit.agenda_current_issues = agenda_current_issues
    visit.agenda_encourage_staff = agenda_encourage_staff
    visit.agenda_site_tour = agenda_site_tour
    visit.attendance = attendance
    visit.notes = notes.strip()
    visit.public_summary = public_summary.strip()
    visit.is_published = is_published
    if not record_complete:
        visit.results_published_at = None
    elif visit.results_published_at is None:
        visit.results_published_at = timezone.now()
    visit.save(
        update_fields=[
            "results_published_at",
            "agenda_dialogue",
            "agenda_current_issues",
            "agenda_encourage_staff",
            "agenda_site_tour",
            "attendance",
            "notes",
            "public_summary",
            "is_published",
            "updated_at",
        ]
    )
    visit.officials.set(officials)
    visit.departments.set(departments)
    visit.monitor_groups.set(monitor_groups)
    return visit


# --- Photos ---------------------------------------------------------------------


def _not_a_photo() -> TongtongError:
    return TongtongError(_("This file is not a photo. Upload a JPEG, PNG or WebP image."))


def _kept_size(size: tuple[int, int]) -> tuple[int, int]:
    """``size`` scaled down to fit ``MAX_PHOTO_EDGE`` on its longer side."""
    width, height = size
    scale = min(1.0, MAX_PHOTO_EDGE / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _stored_mode(fmt: str, picture: Image.Image) -> str:
    """The mode a photo is stored in: JPEG is grey or RGB; PNG and WebP keep
    their transparency, if any."""
    if fmt == "JPEG":
        return "L" if picture.mode in ("L", "LA") else "RGB"
    if picture.mode in ("RGB", "RGBA", "L", "LA"):
        return picture.mode
    has_alpha = "A" in picture.getbands() or "transparency" in picture.info
    return "RGBA" if has_alpha else "RGB"


def photo_clean(upload) -> tuple[bytes, str]:
    """The picture re-encoded without any metadata (EXIF with its GPS
    position, XMP, ICC, comments), upright, at most ``MAX_PHOTO_EDGE``
    pixels on its longer side, and its extension. Refuses anything that is
    not really a JPEG, PNG or WebP image of at most 5 MB and
    ``MAX_PHOTO_PIXELS``."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > MAX_PHOTO_BYTES:
        raise TongtongError(
            _("The photo is too large (%(size)s MB). Upload a photo of at most %(max)s MB.")
            % {"size": f"{size / 1024 / 1024:.1f}", "max": MAX_PHOTO_BYTES // 1024 // 1024}
        )
    if size == 0:
        raise _not_a_photo()
    try:
        upload.seek(0)
        probe = Image.open(upload)
        fmt = probe.format
        if fmt not in PHOTO_FORMATS:
            raise _not_a_photo()
        # Width and height come from the header: nothing is decoded yet.
        if probe.width * probe.height > MAX_PHOTO_PIXELS:
            raise TongtongError(
                _(
                    "The photo is too large (%(width)s × %(height)s pixels). "
                    "Upload a photo of at most %(max)s megapixels."
                )
                % {"width": probe.width, "height": probe.height, "max": MAX_PHOTO_PIXELS // 1_000_000}
            )
        probe.verify()
        upload.seek(0)
        picture = Image.open(upload)
        if fmt == "JPEG":
            # The JPEG decoder scales by 1/2, 1/4 or 1/8 as it reads (never
            # below the size kept): a 6000×4000 camera photo is decoded at
            # 3000×2000, a quarter of the memory.
            picture.draft(None, _kept_size(picture.size))
        picture.load()
        mode = _stored_mode(fmt, picture)
        if picture.mode != mode:
            picture = picture.convert(mode)
        # Scaled in the premultiplied mode of its own: Pillow would otherwise
        # make that full-size copy on top of this one inside ``thumbnail``.
        working = PREMULTIPLIED.get(mode, mode)
        if picture.mode != working:
            picture = picture.convert(working)
        # Scaled down in place before anything else, so that every later
        # step works on the small picture (issue 14: a full-size copy per
        # step took a 39 MP photo to 489 MB).
        picture.thumbnail((MAX_PHOTO_EDGE, MAX_PHOTO_EDGE), Image.Resampling.LANCZOS)
        # Turn the picture upright before the orientation tag goes away.
        ImageOps.exif_transpose(picture, in_place=True)
        if picture.mode != mode:
            picture = picture.convert(mode)
    except TongtongError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise _not_a_photo() from error

    # A new image from the pixels alone: nothing of the original's ``info``
    # (exif, xmp, icc_profile, comment, dpi) can travel with it.
    clean = Image.new(mode, picture.size)
    clean.paste(picture)
    del picture
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=90, optimize=True)
    elif fmt == "PNG":
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "WEBP", quality=90)
    return out.getvalue(), PHOTO_FORMATS[fmt]


@transaction.atomic
def visit_photo_add(
    *, upload, actor, visit: FieldVisit | None = None, tour: ThemedTour | None = None, caption: str = ""
) -> VisitPhoto:
    """Add a photo to a visit or a tour, stored without location metadata."""
    if (visit is None) == (tour is None):
        raise ValueError("a photo belongs to exactly one visit or tour")
    # Lock the owner so that two uploads cannot both pass the count.
    if visit is not None:
        FieldVisit.objects.select_for_update(of=("self",)).filter(pk=visit.pk).first()
        count = VisitPhoto.objects.filter(visit=visit).count()
    else:
        ThemedTour.objects.select_for_update(of=("self",)).filter(pk=tour.pk).first()
        count = VisitPhoto.objects.filter(tour=tour).count()
    if count >= MAX_PHOTOS:
        raise TongtongError(
            _("There are already %(max)s photos. Delete one before adding another.") % {"max": MAX_PHOTOS}
        )
    data, extension = photo_clean(upload)
    photo = VisitPhoto(visit=visit, tour=tour, caption=caption.strip()[:200], uploaded_by=_user(actor))
    # The stored name gets its random token from the field (private files).
    name = f"visit-{visit.pk}.{extension}" if visit is not None else f"tour-{tour.pk}.{extension}"
    photo.image.save(name, ContentFile(data), save=False)
    photo.save()
    return photo


@transaction.atomic
def visit_photo_delete(*, photo: VisitPhoto, actor) -> None:
    """Delete a photo and its file."""
    storage, name = photo.image.storage, photo.image.name
    photo.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- Suggestions ----------------------------------------------------------------


# --- Themed tours ---------------------------------------------------------------


def _tour_times(day: dt.date, start_time: dt.time, end_time: dt.time) -> tuple[dt.datetime, dt.datetime]:
    if end_time <= start_time:
        raise TongtongError(_("The tour must end after it starts."))
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(day, start_time), zone),
        timezone.make_aware(dt.datetime.combine(day, end_time), zone),
    )


def _tour_event_text(tour: ThemedTour) -> tuple[str, str]:
    title = _("Themed tour: %(title)s") % {"title": tour.title}
    lines = []
    names = ", ".join(n.name for n in tour.neighborhoods.all())
    if names:
        lines.append(names)
    lines.extend(site for site in tour.sites.splitlines() if site.strip())
    return title[:255], "\n".join(lines)


def _tour_events_sync(tour: ThemedTour, actor) -> None:
    """The tour's event in the "field-visits" calendar and the one in its
    official's calendar, created or updated."""
    title, description = _tour_event_text(tour)
    calendars.events_mirror(
        tour,
        (("event", calendars.field_visits_calendar()), ("official_event", calendars.official_calendar(tour.official))),
        title=title,
        description=description,
        start=tour.start,
        end=tour.end,
        actor=actor,
    )


def _tour_events_drop(tour: ThemedTour) -> None:
    """A postponed or cancelled tour frees the official's time: its events go."""
    calendars.events_drop(tour)


def _tour_events_follow(tour: ThemedTour, actor) -> None:
    if tour.status in REASON_REQUIRED:
        _tour_events_drop(tour)
    else:
        _tour_events_sync(tour, actor)


def _tour_fields_check(*, title: str, group: str, theme: str) -> None:
    if not title.strip():
        raise TongtongError(_("Give the tour a title."))
    if group not in ThemedTour.Group.values:
        raise TongtongError(_("Choose how the tour is grouped: by issue, by season or by field."))
    if theme not in ThemedTour.Theme.values:
        raise TongtongError(_("Choose the tour's theme."))


def _sites_text(sites: str) -> str:
    return "\n".join(line.strip() for line in (sites or "").splitlines() if line.strip())


@transaction.atomic
def tour_create(
    *,
    title: str,
    group: str,
    theme: str,
    official: Official,
    day: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    neighborhoods: Iterable[Neighborhood] = (),
    sites: str = "",
    departments: Iterable[Department] = (),
    actor,
) -> ThemedTour:
    """Plan a themed tour, with its events in the field-visits calendar and
    the official's calendar."""
    _tour_fields_check(title=title, group=group, theme=theme)
    start, end = _tour_times(day, start_time, end_time)
    tour = ThemedTour.objects.create(
        title=title.strip()[:150],
        group=group,
        theme=theme,
        official=official,
        start=start,
        end=end,
        sites=_sites_text(sites),
    )
    tour.neighborhoods.set(neighborhoods)
    tour.departments.set(departments)
    _tour_events_sync(tour, actor)
    return tour


@transaction.atomic
def tour_update(
    *,
    tour: ThemedTour,
    title: str,
    group: str,
    theme: str,
    official: Official,
    day: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    neighborhoods: Iterable[Neighborhood] = (),
    sites: str = "",
    departments: Iterable[Department] = (),
    actor,
) -> ThemedTour:
    """Change a tour's plan; its events follow and its sequence rises."""
    _tour_fields_check(title=title, group=group, theme=theme)
    start, end = _tour_times(day, start_time, end_time)
    tour = ThemedTour.objects.select_for_update(of=("self",)).select_related("event", "official_event").get(pk=tour.pk)
    tour.title = title.strip()[:150]
    tour.group = group
    tour.theme = theme
    tour.official = official
    tour.start = start
    tour.end = end
    tour.sites = _sites_text(sites)
    tour.sequence += 1
    tour.save()
    tour.neighborhoods.set(neighborhoods)
    tour.departments.set(departments)
    _tour_events_follow(tour, actor)
    return tour


@transaction.atomic
def tour_record_update(
    *,
    tour: ThemedTour,
    actor,
    status: str,
    status_reason: str = "",
    notes: str = "",
    public_summary: str = "",
    is_published: bool = False,
) -> ThemedTour:
    """Save what happened on a tour. A postponed or cancelled tour needs a
    reason and leaves the calendars (the official's time is free again);
    planned or held again, it comes back. A status change raises the sequence."""
    _check_status(status, status_reason)
    if is_published and not public_summary.strip():
        raise TongtongError(_("Write the public summary before publishing it."))
    tour = (
        ThemedTour.objects.select_for_update(of=("self",))
        .select_related("event", "official_event", "official")
        .get(pk=tour.pk)
    )
    status_changed = status != tour.status
    tour.status = status
    tour.status_reason = status_reason.strip() if status in REASON_REQUIRED else ""
    tour.notes = notes.strip()
    tour.public_summary = public_summary.strip()
    tour.is_published = is_published
    if status_changed:
        tour.sequence += 1
    tour.save()
    if status_changed:
        _tour_events_follow(tour, actor)
    return tour
