import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import JsonResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from scheduling.dates import local_date, local_when
from scheduling.decorators import staff_required
from scheduling.feed_services import feed_token_notices
from scheduling.forms import StaffLoginForm
from scheduling.phones import mask_phone
from scheduling.staff import panels_for, sections_for
from scheduling.verification import VerificationError, verification_check, verification_for_key, verification_resend


@staff_required
def staff_home(request):
    """The dashboard panels the user may see (each rendered from its own
    template and context, see ``scheduling.staff``), then the sections."""
    panels = [
        (panel, render_to_string(panel.template, context, request=request))
        for panel, context in panels_for(request.user)
    ]
    context = {
        "panels": panels,
        "sections": sections_for(request.user),
        "feed_notices": feed_token_notices(request.user),
    }
    return render(request, "scheduling/staff_home.html", context)


class StaffLoginView(auth_views.LoginView):
    template_name = "scheduling/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True


@never_cache
def healthz(request):
    """For the load balancer: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bad_request(request, exception=None):
    """A path or query value the page does not take (``scheduling.params``):
    the site's own 400 page, in the visitor's language, with the request's
    context (Django's default renders it without one)."""
    return render(request, "400.html", status=400)


def csrf_failure(request, reason=""):
    """A form that was open too long or came without cookies: explain in
    Korean how to send it again (the browser's back button keeps what was
    typed), instead of Django's English page."""
    return render(request, "403_csrf.html", status=403)


def too_many_requests(request, exception=None, *, retry_after: int | None = None):
    """The 429 page of the public rate limits (``scheduling.rate_limits``;
    also usable as django-ratelimit's ``RATELIMIT_VIEW``): what happened, the
    time to try again, the secretariat's phone, and — after a POST — that
    the browser's back button brings back what was typed."""
    retry_at = ""
    if retry_after is not None and retry_after > 0:
        moment = timezone.localtime() + dt.timedelta(seconds=retry_after, minutes=1)
        retry_at = f"{moment:%H:%M}"  # rounded up to the next whole minute
    response = render(
        request,
        "429.html",
        {"retry_at": retry_at, "after_post": request.method == "POST"},
        status=429,
    )
    if retry_after is not None and retry_after > 0:
        response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def privacy_policy(request):
    """The privacy policy (개인정보 처리방침, 개인정보 보호법 제30조), public,
    from the same settings the consent texts read (docs/privacy.md)."""
    return render(
        request,
        "scheduling/privacy.html",
        {
            "retention_years": settings.MEETING_RETENTION_YEARS,
            "officer": {
                "title": settings.PRIVACY_OFFICER_TITLE,
                "name": settings.PRIVACY_OFFICER_NAME,
                "department": settings.PRIVACY_OFFICER_DEPARTMENT,
                "phone": settings.PRIVACY_OFFICER_PHONE,
                "email": settings.PRIVACY_OFFICER_EMAIL,
            },
            "contact_department": settings.PRIVACY_CONTACT_DEPARTMENT,
            "sms_provider": settings.SMS_PROVIDER_NAME,
            "email_provider": settings.EMAIL_PROVIDER_NAME,
            "policy_date": local_date(settings.PRIVACY_POLICY_DATE),
        },
    )


def verification_code_posted(request, verification):
    """The POST of a code page, the same on every one: "resend" sends a new
    code (and says so), else the typed code is checked. Returns the
    verification once its code is right, else None and the message to show
    — an empty message after a resend, when the page is simply shown again."""
    try:
        if request.POST.get("action") == "resend":
            verification_resend(key=verification.key)
            messages.success(request, _("A new code is on its way. The earlier code no longer works."))
            return None, ""
        return verification_check(key=verification.key, code=request.POST.get("code", "")), ""
    except VerificationError as problem:
        return None, str(problem)


def verification_code_page(request, verification, error: str, **texts):
    """The page where a citizen types the code texted to them (a meeting
    request, "my requests", following a neighborhood): ``texts`` are the
    form's address (``verify_url``), the note, the button, and the way back
    (``back_url``, ``back_label``)."""
    return render(
        request,
        "verify_code.html",
        {
            "phone": mask_phone(verification.phone),
            "expires": local_when(verification.expires_at),
            "error": error,
            "resend_after": settings.VERIFICATION_RESEND_SECONDS,
            **texts,
        },
    )


# --- A public form's code step: what was typed waits in the verification row ---------


def typed_fields(post) -> dict[str, list[str]]:
    """What the citizen typed, as kept until the code: every field but the
    CSRF token, each as its list of values."""
    return {name: values for name, values in post.lists() if name != "csrfmiddlewaretoken"}


def typed_as_post(typed: dict[str, list[str]]) -> QueryDict:
    """``typed_fields`` back as the POST data the form is bound to."""
    post = QueryDict(mutable=True)
    for name, values in typed.items():
        post.setlist(name, values)
    return post


def pending_verification(request, *, session_key: str, purpose: str, done_too: bool = False):
    """The verification of ``purpose`` this browser is in the middle of
    (its key kept in the session under ``session_key``), or None; with
    ``done_too`` also one whose form is already done (its ``result``)."""
    key = request.session.get(session_key)
    verification = verification_for_key(key) if key else None
    if verification is None or verification.purpose != purpose:
        return None
    if verification.result and not done_too:
        return None
    return verification
