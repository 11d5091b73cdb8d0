import datetime
import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, ExtractMonth
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from allies.dates import years_later
from allies.models import User

DEFAULT_COMMITMENT = _(
    "As an ally I take part in the circle's dinners, five times a year. I share what I see in "
    "my neighbourhood, I keep in touch with the other allies between dinners, in quiet times as "
    "well as in turmoil, and I carry out the actions I take on."
)


def _standard_commitments() -> set[str]:
    """DEFAULT_COMMITMENT in each language of the site, word for word (see key_of_commitment)."""
    texts = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            texts.add(" ".join(str(DEFAULT_COMMITMENT).split()))
    return texts


# The key of the standard commitment, in whichever language it was read.
STANDARD_COMMITMENT_KEY = "standard"


def key_of_commitment(text: str) -> str:
    """What makes a commitment text the same as another: two texts are the same commitment
    when their keys are equal (Circle.is_commitment). Word for word, so that spacing and line
    breaks make no difference (a form sends CRLF, seeded or imported text has LF), and the
    standard text is one commitment in every language of the site. Empty without a word.

    Circles and memberships keep the key of their text, so that the health figures can tell
    in SQL, for many circles at once, who agreed to a text the circle has changed since. A
    new translation of DEFAULT_COMMITMENT changes the keys of texts already kept: it takes a
    migration that works them out again."""
    words = " ".join(text.split())
    if not words:
        return ""
    if words in _standard_commitments():
        return STANDARD_COMMITMENT_KEY
    return hashlib.sha256(words.encode()).hexdigest()


def _keep_key(instance, save_kwargs: dict, text_field: str, key_field: str) -> None:
    """Before saving `instance`: when its text_field is saved, set its key_field to the text's
    key_of_commitment, and have it saved along with the text."""
    update_fields = save_kwargs.get("update_fields")
    if update_fields is not None and text_field not in update_fields:
        return
    setattr(instance, key_field, key_of_commitment(getattr(instance, text_field)))
    if update_fields is not None:
        save_kwargs["update_fields"] = {*update_fields, key_field}


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class VenueKind(models.TextChoices):
    POLICE_STATION = "police_station", _("police station")
    TOWN_HALL = "town_hall", _("town hall")
    COMMUNITY_VENUE = "community_venue", _("community venue")
    OTHER = "other", _("other")


class Sector(models.TextChoices):
    POLICE = "police", _("police")
    MUNICIPALITY = "municipality", _("municipality")
    COMMUNITY = "community", _("community")


class CircleQuerySet(models.QuerySet):
    def for_user(self, user):
        """The circles in which the user has an active membership."""
        # From the user's memberships to their circles: an Exists() per circle would walk
        # every circle of the installation.
        return self.filter(pk__in=Membership.objects.active().filter(person=user).values("circle"))

    def coordinated_by(self, user):
        """The circles in which the user is an active coordinator."""
        return self.filter(
            pk__in=Membership.objects.active().coordinators().filter(person=user).values("circle")
        )


class Circle(models.Model):
    name = models.CharField(_("name"), max_length=120)
    municipality = models.CharField(_("municipality"), max_length=120, db_index=True)
    description = models.TextField(_("description"), blank=True)
    whatsapp_link = models.URLField(
        _("WhatsApp group link"),
        blank=True,
        help_text=_("The invite link of the circle's WhatsApp group, shown to members only."),
    )
    dinners_per_year = models.PositiveSmallIntegerField(
        _("dinners per year"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    preferred_weekday = models.PositiveSmallIntegerField(
        _("preferred weekday"), choices=Weekday.choices, default=Weekday.THURSDAY
    )
    preferred_time = models.TimeField(_("preferred time"), default=datetime.time(18, 30))
    dinner_minutes = models.PositiveSmallIntegerField(
        _("dinner length (minutes)"),
        default=150,
        validators=[MinValueValidator(30), MaxValueValidator(600)],
    )
    default_venue_name = models.CharField(_("default venue"), max_length=150, blank=True)
    default_venue_address = models.CharField(_("default venue address"), max_length=250, blank=True)
    default_venue_kind = models.CharField(
        _("default venue kind"),
        max_length=20,
        choices=VenueKind.choices,
        default=VenueKind.POLICE_STATION,
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder days before a dinner"),
        default=2,
        validators=[MinValueValidator(0), MaxValueValidator(30)],
    )
    commitment_text = models.TextField(_("commitment"), default=DEFAULT_COMMITMENT)
    # key_of_commitment(commitment_text), kept by save(): it changes only when the text does in
    # more than its spacing or language (the default is the default text's).
    commitment_key = models.CharField(
        _("commitment key"), max_length=64, default=STANDARD_COMMITMENT_KEY, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The staff overview sorts every circle on a summary of its health. Working it out for
    # thousands of circles on each visit grows with the country, so it is kept here by
    # circles.health.refresh_summaries, with the moment until which it holds; a change to the
    # rows it comes from clears that moment (circles.receivers). Nobody edits these.
    flag_count = models.PositiveSmallIntegerField(_("health flags"), default=0, editable=False)
    last_dinner_at = models.DateTimeField(_("last dinner"), null=True, editable=False)
    next_dinner_at = models.DateTimeField(_("next dinner"), null=True, editable=False)
    summary_valid_until = models.DateTimeField(_("summary holds until"), null=True, editable=False)
    summary_version = models.PositiveIntegerField(_("summary version"), default=0, editable=False)
    SUMMARY_FIELDS = (
        "flag_count",
        "last_dinner_at",
        "next_dinner_at",
        "summary_valid_until",
        "summary_version",
    )

    objects = CircleQuerySet.as_manager()

    class Meta:
        verbose_name = _("circle")
        verbose_name_plural = _("circles")
        ordering = ["municipality", "name"]
        indexes = [
            # The overview's orders, read from an index (on PostgreSQL but for the last dinner,
            # whose circles without one come first: NULLS FIRST, which SQLite cannot index).
            models.Index(
                fields=["-flag_count", "municipality", "name", "id"], name="circle_attention"
            ),
            models.Index(
                fields=["last_dinner_at", "municipality", "name", "id"], name="circle_last_dinner"
            ),
            models.Index(
                fields=["next_dinner_at", "municipality", "name", "id"], name="circle_next_dinner"
            ),
            models.Index(fields=["summary_valid_until"], name="circle_summary_valid_until"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(dinners_per_year__gte=1, dinners_per_year__lte=12),
                name="circle_dinners_per_year_1_to_12",
                violation_error_message=_("A circle has between 1 and 12 dinners a year."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.municipality})"

    def save(self, **kwargs):
        """Saving an edited circle never writes back the summary it was loaded with: it may
        have been worked out again or cleared since. The commitment's key is saved with it."""
        _keep_key(self, kwargs, "commitment_text", "commitment_key")
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.SUMMARY_FIELDS
            ]
        super().save(**kwargs)

    def target_in(self, year: int) -> int:
        """The dinners the circle aims at in `year`: its dinners per year, but in the year it
        was created only for the part of the year it existed, the whole months from the month
        it was created in (local time), rounded half up: five a year from July is 2.5, so 3;
        from November 1; from December none. A circle that starts late in the year is not told
        to hold all its dinners in a few weeks. target_in_sql says the same to the database."""
        created = timezone.localtime(self.created_at)
        if year != created.year:
            return self.dinners_per_year
        # dinners_per_year * months / 12, plus one half, rounded down: in whole numbers.
        return (self.dinners_per_year * (13 - created.month) * 2 + 12) // 24

    @staticmethod
    def target_in_sql(year: int) -> Case:
        """target_in(year) as an expression on circles (the staff overview counts its flags in
        SQL), in whole numbers on every database: PostgreSQL's EXTRACT gives a numeric, whose
        division would not round down. The month is that of the current time zone."""
        months = 13 - Cast(ExtractMonth("created_at"), models.IntegerField())
        return Case(
            When(created_at__year=year, then=(F("dinners_per_year") * months * 2 + 12) / 24),
            default=F("dinners_per_year"),
            output_field=models.IntegerField(),
        )

    @property
    def commitment(self) -> str:
        """The commitment as the reader sees it: the standard one in their own language, which
        a circle holds in the language it was created in, or the circle's own text."""
        if key_of_commitment(self.commitment_text) == STANDARD_COMMITMENT_KEY:
            return str(DEFAULT_COMMITMENT)
        return self.commitment_text

    @property
    def commitment_fingerprint(self) -> str:
        """A short fingerprint of the commitment as the reader sees it. The "I commit" form
        sends back the one it was shown with, so that nobody agrees to a text that a
        coordinator changed while they read it."""
        return hashlib.sha256(self.commitment.encode()).hexdigest()[:16]

    def is_commitment(self, text: str) -> bool:
        """Whether `text` is the circle's commitment as it stands, as some reader was shown it:
        the standard one in any language, or the circle's own text, whatever its spacing."""
        return key_of_commitment(text) == key_of_commitment(self.commitment_text)


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(left_on__isnull=True)

    def coordinators(self):
        return self.filter(is_coordinator=True)

    def by_sector(self):
        """Police first, then municipality, then community; by name within a sector."""
        order = Case(
            When(sector=Sector.POLICE, then=Value(0)),
            When(sector=Sector.MUNICIPALITY, then=Value(1)),
            default=Value(2),
        )
        return self.alias(sector_order=order).order_by("sector_order", "person__name", "pk")

    def of_person(self, person):
        """The person's active memberships, ordered as the circles are, each with its circle
        and the circle's next meeting (next_meeting_starts_at, next_meeting_venue,
        next_meeting_kind): one query, however many circles, with what each membership says of
        the person's commitment."""
        from meetings.models import Meeting  # meetings depends on circles, not the reverse

        upcoming = (
            Meeting.objects.upcoming().filter(circle=OuterRef("circle")).order_by("starts_at")
        )
        return (
            self.active()
            .filter(person=person)
            .select_related("circle")
            .annotate(
                next_meeting_starts_at=Subquery(upcoming.values("starts_at")[:1]),
                next_meeting_venue=Subquery(upcoming.values("venue_name")[:1]),
                next_meeting_kind=Subquery(upcoming.values("kind")[:1]),
            )
            .order_by("circle__municipality", "circle__name", "circle")
        )


# The change reason in the history of a membership that carried the commitment of an earlier
# one (Membership._carry_commitment); translated where the history is read.
COMMITMENT_CARRIED = gettext_noop("Commitment carried over from the earlier membership")


class Membership(models.Model):
    # Coordinators are told about commitments that run out within this many days.
    COMMITMENT_WARNING_DAYS = 30

    # No index of its own for the person: membership_person_active starts with it.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
        db_index=False,
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("circle")
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    committed_on = models.DateField(_("committed on"), null=True, blank=True)
    commitment_until = models.DateField(_("commitment runs until"), null=True, blank=True)
    # The circle's text can be edited after the member agreed to it: what they agreed to is
    # kept with the membership, as they read it. Empty when they have not agreed, or when they
    # agreed before the text was kept.
    commitment_agreed_text = models.TextField(_("commitment agreed to"), blank=True)
    # key_of_commitment(commitment_agreed_text), kept by save(); empty without a text. Compared
    # with the circle's key, it tells in SQL whom agreed_to_earlier_commitment is true of.
    commitment_agreed_key = models.CharField(
        _("key of the commitment agreed to"), max_length=64, blank=True, editable=False
    )

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("historical membership"))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["circle", "sector", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "circle"],
                condition=Q(left_on__isnull=True),
                name="membership_one_active_per_person_circle",
                violation_error_message=_("This person is already a member of this circle."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_leaves_after_joining",
                violation_error_message=_("A member cannot leave before joining."),
            ),
            models.CheckConstraint(
                condition=Q(commitment_until__isnull=True)
                | Q(commitment_until__gte=models.F("committed_on")),
                name="membership_commitment_ends_after_start",
                violation_error_message=_("A commitment cannot end before it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["person", "left_on"], name="membership_person_active"),
            # The admin's year filter reads the first and the last joining date.
            models.Index(fields=["joined_on"], name="membership_joined"),
            # The commitment reminders (meetings.reminders) look up the active memberships
            # whose term runs out within COMMITMENT_WARNING_DAYS, across every circle: without
            # it SQLite read every membership. Only active ones with a term: the others are
            # never looked up by it.
            models.Index(
                fields=["commitment_until"],
                condition=Q(left_on__isnull=True, commitment_until__isnull=False),
                name="membership_active_commitment",
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.circle.name}"

    def save(self, **kwargs):
        """The key of the text agreed to is saved with it. A new membership carries the
        commitment of the person's earlier one, if it still runs (_carry_commitment)."""
        if self._state.adding:
            self._carry_commitment()
        _keep_key(self, kwargs, "commitment_agreed_text", "commitment_agreed_key")
        super().save(**kwargs)

    def _carry_commitment(self) -> None:
        """A person who comes back to a circle (removed by mistake, say: ending a membership
        has no undo) while the commitment they gave it still runs keeps it: the new membership
        gets the one of their latest ended membership of the circle, agreed on the same day
        and running as long, with its text. However they come back (an invitation they accept,
        the admin adding them), unless the admin enters a commitment for the new one."""
        if self.left_on is not None or self.committed_on or self.commitment_until:
            return
        latest = (
            Membership.objects.filter(
                person_id=self.person_id, circle_id=self.circle_id, left_on__isnull=False
            )
            .order_by("-left_on", "-pk")
            .only("committed_on", "commitment_until", "commitment_agreed_text")
            .first()
        )
        if latest is None or latest.commitment_until is None:
            return
        if latest.commitment_until < timezone.localdate():
            return  # it ran out
        self.committed_on = latest.committed_on
        self.commitment_until = latest.commitment_until
        self.commitment_agreed_text = latest.commitment_agreed_text
        if getattr(self, "_change_reason", None) is None:
            self._change_reason = COMMITMENT_CARRIED

    @property
    def is_active(self) -> bool:
        return self.left_on is None

    @property
    def commitment_is_due(self) -> bool:
        """Not agreed yet, or the term runs out within COMMITMENT_WARNING_DAYS (or has)."""
        return self.commitment_until is None or self._due_on(timezone.localdate())

    def _due_on(self, today: datetime.date) -> bool:
        """The term (agreed) runs out within COMMITMENT_WARNING_DAYS of `today`, or has."""
        limit = today + datetime.timedelta(days=self.COMMITMENT_WARNING_DAYS)
        return self.commitment_until <= limit

    @property
    def commitment_has_run_out(self) -> bool:
        return self.commitment_until is not None and self.commitment_until < timezone.localdate()

    @property
    def agreed_to_earlier_commitment(self) -> bool:
        """They agreed to a text of the commitment that the circle has changed since. The
        health figures ask the same in SQL (circles.health._agreed_to_earlier_commitment)."""
        return bool(self.commitment_agreed_text) and not self.circle.is_commitment(
            self.commitment_agreed_text
        )

    @property
    def has_current_commitment(self) -> bool:
        """Agreed to the circle's commitment as it reads now, for a term that has not run out:
        what the health figures count the members without (circles.health)."""
        return self._current_on(timezone.localdate())

    def _current_on(self, today: datetime.date) -> bool:
        """has_current_commitment on `today`: committing then renews the commitment."""
        return (
            self.commitment_until is not None
            and self.commitment_until >= today
            and not self.agreed_to_earlier_commitment
        )

    def term_ends_if_committed(self, today: datetime.date | None = None) -> datetime.date:
        """Until when the commitment runs if the member commits on `today` (the "I commit"
        form says so): a term of a year from today (members agree "for a year": the same day
        a year later, allies.dates.years_later; from 29 February, 28 February of the next
        year); renewing one that still runs, a year from its end, so that renewing early
        loses none of the days already committed. Agreeing to a text the circle has changed
        since is a new commitment: a year from today."""
        today = today or timezone.localdate()
        if not self._current_on(today):
            return years_later(today, 1)
        if not self._due_on(today):
            return self.commitment_until  # not due for renewal yet (see commit)
        return years_later(self.commitment_until, 1)

    def commit(self, today: datetime.date | None = None):
        """Record that the member agreed to the circle's commitment, until
        term_ends_if_committed, and the text they agreed to as it was shown to them: the
        standard one in the active language (the page's), or the circle's own. A commitment
        that is not due for renewal (it runs longer than COMMITMENT_WARNING_DAYS) stays as it
        is: the form sent twice, or from a page left open, does not add a year each time."""
        today = today or timezone.localdate()
        if self._current_on(today) and not self._due_on(today):
            return
        self.committed_on = today
        self.commitment_until = self.term_ends_if_committed(today)
        self.commitment_agreed_text = self.circle.commitment
        self.save(update_fields=["committed_on", "commitment_until", "commitment_agreed_text"])

    def end(self, today: datetime.date | None = None):
        """End the membership; the row and its history stay."""
        self.left_on = today or timezone.localdate()
        self.is_coordinator = False
        self.save(update_fields=["left_on", "is_coordinator"])


def has_left(circle, person: str = "pk") -> Exists:
    """For people (a User queryset), or for rows that name one (`person`: the path to them,
    "author" say): whether they are not, or no longer, an active member of the circle (its id,
    or an OuterRef to it from the rows). A host or an owner who left the circle stays one
    until a coordinator changes it, and is marked as having left wherever the circle sees them
    named (circles.departures)."""
    return ~Exists(Membership.objects.active().filter(circle=circle, person=OuterRef(person)))


def members_of(circle_id, also=None):
    """The people with an active membership of the circle, and the people whose ids the
    queryset `also` selects (one values() column)."""
    # From the circle's memberships to the people, not the other way: Exists() per person
    # would walk every user of the installation. And one IN over a UNION, not an OR of two
    # INs: for that OR, PostgreSQL read every user too.
    people = Membership.objects.active().filter(circle_id=circle_id).values("person").order_by()
    if also is not None:
        people = people.union(also.order_by())
    return User.objects.filter(pk__in=people)


def members_with_sector(circle_id, also=None):
    """members_of(), each with `sector`: that of their membership of the circle (the latest,
    for someone who has left), so that a list to tick says it beside each name."""
    latest = Membership.objects.filter(circle_id=circle_id, person=OuterRef("pk")).order_by(
        models.F("left_on").desc(nulls_first=True), "-pk"
    )
    return members_of(circle_id, also).annotate(sector=Subquery(latest.values("sector")[:1]))


class Invitation(models.Model):
    """A coordinator's invitation to someone who already has an account: they become a member
    when they accept it. They did not ask to join, and if they share their phone number, the
    circle's members would see it."""

    # After "no thanks", how long the circle's coordinators cannot ask the same person again.
    DECLINED_PAUSE = datetime.timedelta(days=90)

    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("circle")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("person"),
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    # The address as the coordinator typed it: what the invite page shows them, not the
    # person's own address should it change.
    email = models.EmailField(_("email address"), blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    accepted = models.BooleanField(_("accepted"), default=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # Circle first: the invite page lists a circle's open invitations from it (the
            # dashboard finds a person's through the person's own index).
            models.UniqueConstraint(
                fields=["circle", "person"],
                condition=Q(answered_at__isnull=True),
                name="invitation_one_open_per_circle_person",
            ),
        ]

    def __str__(self):
        return f"{self.person} → {self.circle}"

    def declined_until(self) -> datetime.datetime | None:
        """Until when a "no thanks" holds the coordinators back from asking again; meanwhile
        the person may still change their mind and join. None unless declined."""
        if self.answered_at is None or self.accepted:
            return None
        return self.answered_at + self.DECLINED_PAUSE

    def may_join_after_all(self) -> bool:
        until = self.declined_until()
        return until is not None and timezone.now() < until
