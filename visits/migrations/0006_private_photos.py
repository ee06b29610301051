"""Every photo leaves the public media root (issue 14): each existing visit,
tour and suggestion photo moves from MEDIA_ROOT to the private storage under
a new, unguessable name, and the row follows; the photo views decide who
sees it (anyone once published). Run twice, it moves nothing twice; a row
whose file is already gone keeps its name (its view answers 404). Reversing
moves the files back to MEDIA_ROOT under their current names."""

import posixpath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import migrations, models

import scheduling.private_files
import visits.models

#: model name → the private folder of its photos.
FOLDERS = {"VisitPhoto": "photos/visits", "SuggestionPhoto": "photos/suggestions"}


def _public():
    return FileSystemStorage(location=settings.MEDIA_ROOT)


def _move(source, target, name, new_name):
    with source.open(name, "rb") as handle:
        stored = target.save(new_name, handle)
    source.delete(name)
    return stored


def to_private(apps, schema_editor):
    public, private = _public(), scheduling.private_files.private_storage()
    for model_name, folder in FOLDERS.items():
        Photo = apps.get_model("visits", model_name)
        for photo in Photo.objects.exclude(image="").only("pk", "image").iterator():
            name = photo.image.name
            if private.exists(name) or not public.exists(name):
                continue
            new_name = scheduling.private_files.unguessable_name(folder, posixpath.basename(name))
            Photo.objects.filter(pk=photo.pk).update(image=_move(public, private, name, new_name))


def to_public(apps, schema_editor):
    public, private = _public(), scheduling.private_files.private_storage()
    for model_name in FOLDERS:
        Photo = apps.get_model("visits", model_name)
        for photo in Photo.objects.exclude(image="").only("pk", "image").iterator():
            name = photo.image.name
            if private.exists(name) and not public.exists(name):
                Photo.objects.filter(pk=photo.pk).update(image=_move(private, public, name, name))


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0005_private_card_pdfs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="suggestionphoto",
            name="image",
            field=models.ImageField(
                storage=scheduling.private_files.private_storage,
                upload_to=visits.models._suggestion_photo_path,
                verbose_name="photo",
            ),
        ),
        migrations.AlterField(
            model_name="visitphoto",
            name="image",
            field=models.ImageField(
                storage=scheduling.private_files.private_storage,
                upload_to=visits.models._photo_path,
                verbose_name="photo",
            ),
        ),
        migrations.RunPython(to_private, to_public),
    ]
