"""The organisation of the city and its calendar facts.

The organisation as a Korean city has it (docs/organisation.md): bureaus
and offices (실·국·본부·보건소·사업소), each headed by a director-level
official and overseen by one deputy mayor (the deputy's portfolio); the
departments (과) below them, each with its head (과장); the owner of each
category of request. Then the neighborhoods (동) the mayor visits, and the
closures the city adds to Korea's public holidays. Times live in
django-scheduler: each official has one ``schedule.Calendar``.
"""

import datetime as dt
import re
import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from scheduling.categories import Category


class Bureau(models.Model):
    """A bureau or office above the departments (실·국·본부, or an office such
    as 보건소 or a 사업소). Its head (an ``Official`` of rank director whose
    ``bureau`` is this one) is the director-level official a meeting request
    is substituted to; ``deputy_mayor`` is the deputy mayor whose portfolio
    (부시장 소관) holds it."""

    class Kind(models.TextChoices):
        OFFICE = "office", _("Office (실)")
        BUREAU = "bureau", _("Bureau (국)")
        HEADQUARTERS = "headquarters", _("Headquarters (본부)")
        HEALTH_CENTER = "health_center", _("Public health center (보건소)")
        AGENCY = "agency", _("Agency (사업소)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BUREAU)
    deputy_mayor = models.ForeignKey(
        "Official",
        verbose_name=_("deputy mayor (portfolio)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="portfolio",
        limit_choices_to={"rank": "deputy_mayor"},
        help_text=_("The deputy mayor who oversees this bureau."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("bureau")
        verbose_name_plural = _("bureaus")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Department(models.Model):
    class Kind(models.TextChoices):
        SECRETARIAT = "secretariat", _("Secretariat (citizen communication team)")
        BUDGET_LEGAL = "budget_legal", _("Budget & legal affairs")
        POLICY_OFFICER = "policy_officer", _("Policy officer")
        REGULAR = "regular", _("Regular department")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    bureau = models.ForeignKey(
        Bureau,
        verbose_name=_("bureau"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="departments",
        help_text=_("The bureau or office (실·국·본부·소) the department belongs to."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            # The secretariat, the budget department and the policy officer
            # are each one office; the joint review addresses them by kind.
            models.UniqueConstraint(
                fields=["kind"],
                condition=~Q(kind="regular"),
                name="department_one_per_special_kind",
            ),
        ]

    def __str__(self):
        return self.name


class Official(models.Model):
    """An official who meets citizens, visits neighborhoods or reviews
    requests: the mayor, the deputy mayors (``substitution_order`` orders
    them: 제1부시장 before 제2부시장), the directors who head a ``bureau``,
    and the department heads (과장) who head a ``department``. Who may meet a
    citizen in the mayor's place follows from this (``scheduling.organisation``).
    """

    class Rank(models.TextChoices):
        MAYOR = "mayor", _("Mayor")
        DEPUTY_MAYOR = "deputy_mayor", _("Deputy mayor")
        DIRECTOR = "director", _("Director (실·국·소장)")
        DEPARTMENT_HEAD = "department_head", _("Department head (과장)")

    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("title"), max_length=100, help_text=_("As printed for citizens, e.g. 제1부시장"))
    rank = models.CharField(_("rank"), max_length=20, choices=Rank.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="officials",
        null=True,
        blank=True,
        help_text=_("For a department head: the department they head."),
    )
    bureau = models.ForeignKey(
        Bureau,
        verbose_name=_("bureau"),
        on_delete=models.PROTECT,
        related_name="officials",
        null=True,
        blank=True,
        help_text=_("For a director: the bureau or office they head."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="official",
    )
    calendar = models.OneToOneField(
        "schedule.Calendar", verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="official"
    )
    substitution_order = models.PositiveSmallIntegerField(
        _("order"), default=1, help_text=_("Among deputy mayors: 1 for 제1부시장, 2 for 제2부시장.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        ordering = ["rank", "substitution_order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["rank"], condition=Q(rank="mayor", is_active=True), name="official_one_active_mayor"
            ),
            models.UniqueConstraint(
                fields=["bureau"],
                condition=Q(rank="director", is_active=True, bureau__isnull=False),
                name="official_one_active_director_per_bureau",
            ),
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(rank="department_head", is_active=True, department__isnull=False),
                name="official_one_active_head_per_department",
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.name}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.rank == self.Rank.DEPARTMENT_HEAD and self.department_id is None:
            raise ValidationError({"department": _("A department head heads a department: choose it.")})
        if self.bureau_id is not None and self.rank != self.Rank.DIRECTOR:
            raise ValidationError({"bureau": _("Only a director heads a bureau.")})


class CategoryOwner(models.Model):
    """Which department owns a category of request: its head is asked for the
    review opinion, and its bureau's director and deputy mayor are proposed
    as substitutes. Every category needs one (``scheduling.organisation``
    checks it)."""

    category = models.CharField(_("category"), max_length=30, choices=Category.choices, unique=True)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="owned_categories"
    )

    class Meta:
        verbose_name = _("category owner")
        verbose_name_plural = _("category owners")
        ordering = ["category"]

    def __str__(self):
        return f"{self.get_category_display()} → {self.department}"


class Neighborhood(models.Model):
    """One administrative neighborhood (동). Priority flags come from seed 002:
    areas with current issues or collective complaints, natural villages
    (자연부락) and outlying, underserved areas are visited first."""

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z_-]+$", _("Use letters, digits, - or _ only."))],
        help_text=_("The administrative code (행정동 코드) or a short code the city uses."),
    )
    name = models.CharField(_("name"), max_length=50, unique=True)
    is_current_issue_area = models.BooleanField(_("current-issue area"), default=False)
    is_natural_village = models.BooleanField(_("natural village"), default=False)
    is_outlying_area = models.BooleanField(_("outlying area"), default=False)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    last_visited_on = models.DateField(_("last visited"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("neighborhood")
        verbose_name_plural = _("neighborhoods")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    @property
    def is_priority(self) -> bool:
        return self.is_current_issue_area or self.is_natural_village or self.is_outlying_area

    def priority_labels(self) -> list[str]:
        labels = []
        if self.is_current_issue_area:
            labels.append(str(_("current-issue area")))
        if self.is_natural_village:
            labels.append(str(_("natural village")))
        if self.is_outlying_area:
            labels.append(str(_("outlying area")))
        return labels


class CityClosure(models.Model):
    """A day the city office is closed beyond Korea's public holidays
    (e.g. the city's foundation day, an office-wide closure)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("reason"), max_length=100)

    class Meta:
        verbose_name = _("city closure")
        verbose_name_plural = _("city closures")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class StaffProfile(models.Model):
    """Which department a staff member works for: a department's inbox shows
    its review requests and suggestions to its own staff."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="staff_profile"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    phone = models.CharField(_("office phone"), max_length=30, blank=True)
    #: Shown after the name wherever the person appears: "소통민원팀 홍길동 주무관"
    #: (``scheduling.people.staff_label``).
    position = models.CharField(
        _("position"), max_length=30, blank=True, help_text=_("직위 or 직급 as the city writes it, e.g. 주무관, 팀장")
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        from scheduling.people import staff_label

        return staff_label(self.user)


class CalendarFeedToken(models.Model):
    """A private calendar feed's secret: one per user and kind of feed,
    stored as its SHA-256 only; revoking it (or renewing, which revokes and
    makes a new one) makes the old address a 404, and so does reaching
    ``expires_at`` (``FEED_TOKEN_DAYS`` after it was made). An expired token
    stays the user's current one, shown on the profile page as expired,
    until it is renewed or revoked."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("My schedule (official)")
        SECRETARIAT = "secretariat", _("Everything (secretariat)")
        DEPARTMENT = "department", _("My department")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens")
    kind = models.CharField(_("feed"), max_length=20, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], condition=Q(revoked_at__isnull=True), name="one_live_feed_token_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.user} {self.kind}"


class OutboxMessage(models.Model):
    """The outbox (abstract): every message to a citizen or to staff is a row
    first, written in the same transaction as the change it tells of, then
    sent by a celery task after the commit (``scheduling.outbox``). A broker
    outage leaves rows pending; the periodic flush sends them later. A row is
    claimed by a conditional update before sending, so a message is sent at
    most once even if a task runs twice.

    Each app keeps its own concrete table (``meetings.Notification``,
    ``visits.SuggestionNotification``) with a foreign key to what the message
    is about and a ``kind``; the machinery finds every concrete subclass."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        #: The provider's delivery report says it reached the phone
        #: (``scheduling.delivery_reports``).
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    class Via(models.TextChoices):
        """The channel a message actually went by: asked for when it is
        sent, corrected by the provider's delivery report (an 알림톡 that
        fell back to a text message)."""

        ALIMTALK = "ata", _("KakaoTalk AlimTalk")
        SMS = "sms", _("SMS")
        LMS = "lms", _("LMS")
        EMAIL = "email", _("E-mail")

    #: Kinds of message that are wrong once late (a reminder says
    #: "tomorrow"): one that could not leave on the day it was written is
    #: dropped (marked failed).
    SAME_DAY_ONLY_KINDS: frozenset[str] = frozenset()
    #: The private links a message may carry (a pattern whose first group is
    #: the public part of the path). Once sent, the stored copy keeps only
    #: that part: the secret after it is replaced by "…".
    PRIVATE_LINKS: re.Pattern | None = None
    #: A message that could not leave this long after it was written is
    #: dropped (marked failed): a verification code is useless once expired.
    SEND_WITHIN: dt.timedelta | None = None

    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    #: Makes "send the reminder for this appointment" happen once.
    dedupe_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    gateway_id = models.CharField(max_length=100, blank=True)
    # --- KakaoTalk 알림톡 and delivery reports (scheduling/alimtalk_templates.py,
    # scheduling/solapi_backend.py, scheduling/delivery_reports.py) ---
    #: The registered 알림톡 template this text message was rendered from
    #: (empty: it goes as SMS/LMS), and the values of its #{variables}
    #: (private links redacted once sent, like the body).
    template_code = models.CharField(_("AlimTalk template"), max_length=60, blank=True)
    variables = models.JSONField(_("template variables"), default=dict, blank=True)
    #: The channel it actually went by (see ``Via``); empty until sent.
    via = models.CharField(_("sent as"), max_length=10, choices=Via.choices, blank=True)
    #: The provider's last delivery report: its status code and when it came.
    report_code = models.CharField(_("delivery report code"), max_length=20, blank=True)
    reported_at = models.DateTimeField(_("delivery reported at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        # The admin's title and every list of rows print this: never the
        # full number or address (docs/privacy.md).
        from scheduling.phones import mask_contact

        return f"{getattr(self, 'kind', '')} → {mask_contact(self.recipient)} ({self.status})"

    @classmethod
    def redact(cls, text: str) -> str:
        """``text`` with the secret part of its private links replaced by "…"."""
        if cls.PRIVATE_LINKS is None:
            return text
        return cls.PRIVATE_LINKS.sub(r"\1…", text)

    @classmethod
    def redact_variables(cls, variables: dict) -> dict:
        """The template variables with their private links redacted (a
        button's path variable, ``meetings/status/…``, has no leading slash)."""

        def one(value) -> str:
            text = str(value)
            if text.startswith("/") or "://" in text:
                return cls.redact(text)
            return cls.redact("/" + text)[1:]

        return {name: one(value) for name, value in (variables or {}).items()}


class FeedNotification(OutboxMessage):
    """The core's outbox (``scheduling.outbox``): e-mails to staff about
    their private calendar feeds — the notice that an address expires soon,
    once per token (``feed-expiry:<token id>``). They carry no secret: the
    address itself is never stored, the e-mail links the profile page."""

    token = models.ForeignKey(
        CalendarFeedToken, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=40)

    class Meta(OutboxMessage.Meta):
        verbose_name = _("calendar feed notification")
        verbose_name_plural = _("calendar feed notifications")


# --- Phone verification (issue 15; scheduling/verification.py) -------------------


class PhoneVerification(models.Model):
    """One SMS code sent to a citizen's phone, and what it unlocks.

    The code itself is never stored, only its keyed hash (``code_hash``).
    ``payload`` keeps what the citizen typed before the code (the request
    form), so that nothing is lost and nothing is saved as a request until
    the phone is verified. ``client`` is a keyed hash of the client address
    (its /64 for IPv6): enough to count per address, not to know it. Rows
    are purged a day after they are made (``scheduling.purge_phone_verifications``)."""

    class Purpose(models.TextChoices):
        MEETING_REQUEST = "meeting_request", _("meeting request")
        MY_REQUESTS = "my_requests", _("my requests")
        FOLLOW = "follow", _("following a neighborhood")
        PETITION = "petition", _("petition to the mayor")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    phone = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=64)
    client = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    code_sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    sends = models.PositiveSmallIntegerField(default=1)
    wrong_tries = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    #: What the verified phone became, e.g. the request's reference number.
    result = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("phone verification")
        verbose_name_plural = _("phone verifications")
        indexes = [
            models.Index(fields=["phone", "created_at"], name="verification_phone"),
            models.Index(fields=["client", "created_at"], name="verification_client"),
        ]

    def __str__(self):
        from scheduling.phones import mask_phone

        return f"{self.get_purpose_display()} {mask_phone(self.phone)}"


class VerificationMessage(OutboxMessage):
    """The core's outbox rows for verification codes. A code that could not
    leave while it was valid is dropped (``SEND_WITHIN``); once sent, the
    stored copy keeps no code."""

    SEND_WITHIN = dt.timedelta(minutes=settings.VERIFICATION_CODE_MINUTES)
    PRIVATE_LINKS = re.compile(r"()(?<!\d)\d{6}(?!\d)")

    verification = models.ForeignKey(
        PhoneVerification, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    kind = models.CharField(max_length=40, default="code")

    class Meta(OutboxMessage.Meta):
        verbose_name = _("verification code message")
        verbose_name_plural = _("verification code messages")


# --- Reports (issue 7; scheduling/reports/services.py) ---------------------------


class ReportNote(models.Model):
    """The secretariat's recommendations in a half-yearly analysis, one per
    period ("2026-H1"). Its Meta also holds the permission to see the
    reports at all (``scheduling.view_reports``)."""

    period_key = models.CharField(_("period"), max_length=10, unique=True)
    text = models.TextField(_("recommendations"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("report note")
        verbose_name_plural = _("report notes")
        permissions = [("view_reports", _("Can see the monthly, half-yearly and plan reports"))]

    def __str__(self):
        return self.period_key


class ReportRun(models.Model):
    """One automatic sending of a report (the monthly e-mail), claimed by
    inserting this row: the unique (kind, period) lets only one process send
    it, even with two beat schedulers started by mistake. A failed sending
    may be claimed again, a bounded number of times."""

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20)
    period_key = models.CharField(_("period"), max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    recipients = models.TextField(_("recipients"), blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "period_key"], name="report_run_once_per_period")]

    def __str__(self):
        return f"{self.kind} {self.period_key} ({self.status})"


# --- Audit (issue 8; scheduling/audit.py) ---------------------------------------


class AccessLog(models.Model):
    """Someone viewed or exported a citizen's personal data (a meeting
    request's page, a meeting day's run sheet, a suggestion with a contact).
    Written by ``scheduling.audit.record_access``; never changed. The object
    is named by its label, so the log itself holds no personal data."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        EXPORT = "export", _("Exported or printed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    #: "meetings.MeetingRequest:42".
    object_label = models.CharField(_("record"), max_length=100, db_index=True)
    path = models.CharField(_("page"), max_length=300, blank=True)
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_label}"


class DataVersion(models.Model):
    """The version of one kind of data that pages keep read
    (``scheduling/versions.py``): every service that changes the data gives
    it a new random version after its commit, and a kept read is filed under
    the versions it was read at."""

    name = models.CharField(max_length=40, primary_key=True)
    version = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} {self.version}"
