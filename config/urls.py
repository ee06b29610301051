"""The project's URLs.

django-scheduler's own URLs (``schedule.urls``) are deliberately not
included: its views let any logged-in user edit any event. Its models are
managed only through our services and the admin.
"""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from petitions.intake import webhook as petition_webhook
from scheduling import busy_views, feed_views, solapi_webhook, views
from scheduling.forms import AdminLoginForm

staff_patterns = (
    [
        path("", views.staff_home, name="home"),
        path("login/", views.StaffLoginView.as_view(), name="login"),
        path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    ],
    "staff",
)

urlpatterns = [
    path("calendar/", include("meetings.feeds.urls")),
    path("", include("visits.feeds.urls")),
    path("", include("meetings.public.urls")),
    path("petitions/", include("petitions.public.urls")),
    path("", include("visits.urls")),
    path("neighborhoods/", include("visits.cards.urls")),
    path("staff/visits/records/", include("visits.records.urls")),
    path("staff/visits/", include("visits.rotation.urls")),
    path("staff/cards/", include("visits.cards.staff_urls")),
    # Before any other staff/petitions/ include: the intake pages.
    path("staff/petitions/intake/", include("petitions.intake.urls")),
    path("staff/meetings/", include("meetings.staff.urls")),
    path("staff/petitions/", include("petitions.office.urls")),
    # The survey's comments sit with the reports they explain (before the reports' own include).
    path("staff/reports/surveys/", include("petitions.surveys.staff_urls")),
    path("staff/reports/", include("scheduling.reports.urls")),
    path("staff/instructions/", include("petitions.instructions.urls")),
    path("staff/rooms/", include("petitions.rooms.urls")),
    path("survey/", include("petitions.surveys.urls")),
    path("staff/officials/<id:pk>/busy/", busy_views.busy_import, name="busy_import"),
    path("calendar/feeds/<str:token>.ics", feed_views.private_feed, name="private_feed"),
    path("staff/profile/", feed_views.staff_profile, name="staff_profile"),
    path("staff/", include(staff_patterns)),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("privacy/", views.privacy_policy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    # SOLAPI's delivery reports (KakaoTalk 알림톡 / SMS / LMS), docs/notifications.md.
    path("hooks/solapi/reports/", solapi_webhook.solapi_reports, name="solapi_reports"),
    # The mayor's SMS phone (소통문자폰): inbound messages become petitions, docs/petitions.md.
    path("hooks/solapi/inbound/", petition_webhook.solapi_inbound, name="solapi_inbound"),
]

#: A value the page does not take (scheduling.params) answers the Korean 400 page.
handler400 = "scheduling.views.bad_request"

# The admin's login counts every failure for the lockout, as the staff login does.
admin.site.login_form = AdminLoginForm
admin.site.site_header = f"{settings.CITY_NAME} 통통 관리"
admin.site.site_title = "통통 관리"

# Uploaded photos in development; in production the reverse proxy serves
# MEDIA_ROOT under MEDIA_URL (docs/deployment.md).
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
