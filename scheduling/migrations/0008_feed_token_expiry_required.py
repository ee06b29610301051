# Every token has its expiry (0007 set it), so the column is required from
# now on. A separate migration: on PostgreSQL the data step and the ALTER
# stay in different transactions.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0007_feed_token_expiry"),
    ]

    operations = [
        migrations.AlterField(
            model_name="calendarfeedtoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires at"),
        ),
    ]
