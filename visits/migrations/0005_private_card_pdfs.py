"""The all-cards PDFs leave the public media root (issue 14): each existing
file moves from MEDIA_ROOT/cards/ to the private storage under a new,
unguessable name, and the row follows. Run twice, it moves nothing twice; a
row whose file is already gone keeps its name (its download answers 404).
Reversing moves the files back to MEDIA_ROOT under their current names."""

import posixpath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import migrations, models

import scheduling.private_files
import visits.models


def _public():
    return FileSystemStorage(location=settings.MEDIA_ROOT)


def _move(source, target, name, new_name):
    with source.open(name, "rb") as handle:
        stored = target.save(new_name, handle)
    source.delete(name)
    return stored


def to_private(apps, schema_editor):
    CardBatch = apps.get_model("visits", "CardBatch")
    public, private = _public(), scheduling.private_files.private_storage()
    for batch in CardBatch.objects.exclude(pdf="").only("pk", "pdf"):
        name = batch.pdf.name
        if not public.exists(name):
            continue
        new_name = scheduling.private_files.unguessable_name("cards", posixpath.basename(name))
        stored = _move(public, private, name, new_name)
        CardBatch.objects.filter(pk=batch.pk).update(pdf=stored)


def to_public(apps, schema_editor):
    CardBatch = apps.get_model("visits", "CardBatch")
    public, private = _public(), scheduling.private_files.private_storage()
    for batch in CardBatch.objects.exclude(pdf="").only("pk", "pdf"):
        name = batch.pdf.name
        if private.exists(name):
            CardBatch.objects.filter(pk=batch.pk).update(pdf=_move(private, public, name, name))


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0004_audit_history"),
    ]

    operations = [
        migrations.AlterField(
            model_name="cardbatch",
            name="pdf",
            field=models.FileField(
                blank=True, storage=scheduling.private_files.private_storage, upload_to=visits.models._card_batch_path
            ),
        ),
        migrations.RunPython(to_private, to_public),
    ]
