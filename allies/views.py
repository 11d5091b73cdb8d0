import datetime
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from allies import privacy, services
from allies.forms import (
    ChangePasswordForm,
    PhoneConsentForm,
    ProfileForm,
    ResetForm,
    minutes_to_wait,
)
from allies.middleware import CHOSEN_LANGUAGE_SESSION_KEY, adopt_chosen_language
from allies.models import PasswordResetRequest, User
from allies.security import clear_failures, client_ip, log, log_refused
from circles import services as circles_services
from circles.departures import left_behind
from circles.getting_started import getting_started_of_coordinator
from circles.health import health_for_coordinator
from circles.models import Circle, Membership
from circles.views import COMMITMENT_MESSAGE
from meetings.models import Meeting, Response
from polls.models import Poll

logger = logging.getLogger(__name__)


@login_required
def dashboard(request):
    """My circles, my next dinners with my answer, my open actions (overdue first)."""
    user = request.user
    circles = Circle.objects.for_user(user)
    next_meetings = (
        Meeting.objects.for_user(user)
        .upcoming()
        # One entered while under way, to record it, asked nobody whether they come.
        .scheduled_ahead()
        .select_related("circle")
        .prefetch_related(
            Prefetch("responses", queryset=Response.objects.filter(person=user), to_attr="mine")
        )[:5]
    )
    # Headed "My next dinners" unless an extra meeting is among them.
    next_has_extra = any(meeting.is_extra for meeting in next_meetings)
    actions = (
        user.owned_actions.unfinished()
        .filter(circle__in=circles)
        .select_related("circle")
        .by_due_date()[:10]
    )
    # Listed here, and read for the first steps of the circles I coordinate.
    memberships = list(Membership.objects.of_person(user))
    coordinated = health_for_coordinator(user)
    getting_started = getting_started_of_coordinator(coordinated, memberships)
    ctx = {
        "memberships": memberships,
        # Someone who was in a circle is not "not in one yet", nor waiting for dinners planned.
        "left_every_circle": not memberships and user.memberships.exists(),
        "next_meetings": next_meetings,
        "next_has_extra": next_has_extra,
        "actions": actions,
        "getting_started": getting_started,
        # The hosts and owners who left the circles I coordinate: theirs to hand on.
        "departures": left_behind([health.circle for health in coordinated]),
    }
    ctx.update(_next_steps(user))
    # A circle being set up has its flags answered by its checklist, in the order that gets it
    # going: its flags below would ask for the dinners before the members are in.
    setting_up = {steps.circle.pk for steps in getting_started}
    ctx["needing_attention"] = [
        h for h in coordinated if h.is_flagged and h.circle.pk not in setting_up
    ]
    ctx.update(_polls(user, memberships))
    # Not to a circle they have joined since, some other way (an admin, a new invitation).
    ctx["invitations"] = (
        user.invitations.filter(answered_at__isnull=True)
        .exclude(circle__in=circles.values("pk"))
        .select_related("circle")
    )
    return render(request, "allies/dashboard.html", ctx)


def _polls(user, memberships) -> dict:
    """The open polls awaiting my answer, and, of the circles I coordinate, the open polls whose
    dates have all passed: none can be picked, so closing them is a next step (and they are not
    asked about as well). One query."""
    now = timezone.now()
    coordinated = {m.circle_id for m in memberships if m.is_coordinator}
    to_close = Poll.objects.open().dates_passed(now).filter(circle__in=coordinated)
    polls = list(
        # Not a poll with no date ahead: no answer to it can be used any more.
        (Poll.objects.awaiting_answer(user).with_date_ahead(now) | to_close)
        .with_passed(now)
        .select_related("circle")
    )
    return {
        "polls_to_close": [poll for poll in polls if poll.passed],
        "open_polls": [poll for poll in polls if not poll.passed],
    }


# Missing answers are a next step for a meeting this close: the caterer needs the count then,
# and members who have weeks left were not yet expected to have answered.
ANSWERS_WANTED_DAYS = 30


def _next_steps(user) -> dict:
    """For coordinators: the dinners still to record, and the next dinners, within
    ANSWERS_WANTED_DAYS, that miss answers. A fixed number of queries, however many circles and
    meetings there are."""
    now = timezone.now()
    coordinated = Circle.objects.coordinated_by(user)
    to_record = (
        Meeting.objects.filter(circle__in=coordinated, ends_at__lte=now, recorded_at=None)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("circle")
        .order_by("-starts_at")[:5]
    )
    next_of_circle = (
        Meeting.objects.filter(circle=OuterRef("circle"), starts_at__gt=now)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")
        .values("pk")[:1]
    )
    answered = Response.objects.filter(meeting=OuterRef(OuterRef("pk")), person=OuterRef("person"))
    silent = (
        Membership.objects.active()
        .filter(~Exists(answered), circle=OuterRef("circle"))
        .order_by()
        .values("circle")
        .annotate(count=Count("pk"))
        .values("count")
    )
    awaiting_answers = (
        Meeting.objects.filter(
            circle__in=coordinated,
            pk=Subquery(next_of_circle),
            starts_at__lte=now + datetime.timedelta(days=ANSWERS_WANTED_DAYS),
        )
        .annotate(missing_answers=Coalesce(Subquery(silent), 0))
        .filter(missing_answers__gt=0)
        .select_related("circle")
        .order_by("starts_at")[:10]
    )
    return {"to_record": to_record, "awaiting_answers": awaiting_answers, "now": now}


def healthz(request):
    """200 "ok" when the app and its database answer; 503 when the database does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return HttpResponse("database unavailable", content_type="text/plain", status=503)
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request, reason=""):
    """A refused form post (no or a stale CSRF token), in the site's style, and logged."""
    log_refused(request, 403, f"CSRF: {reason}")
    request._refusal_logged = True
    return render(request, "403_csrf.html", {}, status=403)


@login_required
@require_safe
def my_data(request):
    """Everything stored about me, as a JSON download; nothing about anyone else."""
    data = privacy.person_export(request.user)
    today = timezone.localdate().isoformat()
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="allies-my-data-{today}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def privacy_statement(request):
    """How the site handles personal data, in plain words, for anyone: a person is told before
    signing in for the first time (the invitation links here), and a visitor may ask."""
    ctx = {
        "privacy_controller": settings.PRIVACY_CONTROLLER,
        "privacy_contact": settings.PRIVACY_CONTACT,
        "dietary_days": settings.DIETARY_NEEDS_RETENTION_DAYS,
        "contact_days": settings.CONTACT_DETAILS_RETENTION_DAYS,
        "sign_in_days": settings.SIGN_IN_RETENTION_DAYS,
    }
    return render(request, "allies/privacy_statement.html", ctx)


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice as the person's preferred
    language: now when signed in, else at sign-in (see PreferredLanguageMiddleware)."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    else:
        request.session[CHOSEN_LANGUAGE_SESSION_KEY] = language
    return response


@login_required
def profile(request):
    """My details, phone-sharing consent, language, dietary needs and reminders. A new email
    address is not saved here: it gets a link to confirm it (allies.services)."""
    # The form works on a copy, so that refused input never shows up as request.user.
    person = User.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, instance=person, request=request)
    if request.method == "POST" and form.is_valid():
        person = form.save(commit=False)
        if not person.phone:
            # Consent was given for a number; without one there is nothing to share, and a
            # number added later must be shared anew.
            person.phone_shared_at = None
        person.save(update_fields=[*form.Meta.fields, "phone_shared_at"])
        with translation.override(person.preferred_language):
            # Only a new address asked for: the message about its link says all there is.
            only_email = set(form.changed_data) <= {"email", "current_password"}
            if not (only_email and (form.new_email or form.link_already_sent)):
                messages.success(request, _("Your details are saved."))
            _ask_to_confirm(request, person, form)
        return redirect("profile")
    # A wrong password too often pauses the check (django-axes): 429, as at sign-in; so does
    # asking for links to new addresses too often.
    paused = form.has_error("current_password", "locked_out") or form.has_error("email", "too_soon")
    status = 429 if paused else 200
    ctx = {
        "form": form,
        "pending_email_change": services.email_change_pending(person),
        "privacy_contact": settings.PRIVACY_CONTACT,
    }
    return render(request, "allies/profile.html", ctx, status=status)


def _ask_to_confirm(request, person, form: ProfileForm) -> None:
    """Send the link that confirms a new address, if one was asked for, and say so (or that it
    could not go, or that it went a moment ago)."""
    new_email = form.new_email
    if form.link_already_sent:
        message = _(
            "We already sent a link to %(email)s a moment ago. Your email address changes when "
            "you open it and confirm."
        )
        messages.info(request, message % {"email": form.link_already_sent.new_email})
    elif new_email and services.email_change_request(person=person, new_email=new_email):
        message = _(
            "We sent a link to %(email)s. Your email address changes when you open it and confirm."
        )
        messages.info(request, message % {"email": new_email})
    elif new_email:
        message = _(
            "We could not send a link to %(email)s, so your email address is unchanged. Try "
            "again later."
        )
        messages.error(request, message % {"email": new_email})


@login_required
@require_POST
def email_change_cancel(request):
    """Withdraw the new email address I asked for: the link sent there stops working."""
    pending = services.email_change_pending(request.user)
    request.user.cancel_email_change()
    if pending:
        message = _("The change to %(email)s is cancelled: the link we sent there no longer works.")
        messages.success(request, message % {"email": pending.new_email})
        # Mostly to give another address: say when that can be (the limit on links stays).
        if wait := request.user.email_wait("email_change_sent_at"):
            minutes = minutes_to_wait(wait)
            message = ngettext(
                "You can ask for a link to another address in %(minutes)d minute.",
                "You can ask for a link to another address in %(minutes)d minutes.",
                minutes,
            )
            messages.info(request, message % {"minutes": minutes})
    else:
        messages.info(request, _("No change of your email address was waiting."))
    return redirect("profile")


@never_cache  # it shows the new address, to whoever opens the link: keep it out of caches
@require_http_methods(["GET", "HEAD", "POST"])
def email_change_confirm(request, token):
    """The link sent to a new email address. Opening it changes nothing (mail scanners open
    links too): it asks to confirm with a button, and the POST makes the change.

    No sign-in needed: the link is often opened on a phone that is not signed in, and it
    already proves what is asked: the password was checked when it was sent, and whoever
    opens it reads the new address's mail. Nor does it sign anyone in, so the link is no key
    to the account. It is refused, with the reason, when it has expired or was changed, when
    it was used, when the address changed since it was sent, when the change was cancelled or
    another new address asked for since, or when the new address has been taken by someone
    else meanwhile."""
    confirming = request.method == "POST"
    try:
        if confirming:
            change = services.email_change_confirm(token=token)
        else:
            change = services.email_change_read(token)
    except ValidationError as refused:
        ctx = {"refused": refused.messages[0], "reason": refused.code}
        return render(request, "allies/email_change_confirm.html", ctx)
    theirs = _speak_their_language(request, change.person)
    if not confirming:
        return render(request, "allies/email_change_confirm.html", {"change": change})
    messages.success(
        request, _("Your email address is now %(email)s.") % {"email": change.new_email}
    )
    response = redirect("profile" if request.user.pk == change.person.pk else "login")
    if theirs:
        # The sign-in page that follows, with the message above, in the same language.
        _remember_language(response, theirs)
    return response


def _remember_language(response, language: str) -> None:
    """The language cookie, set as Django's language switch sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def _speak_their_language(request, person) -> str:
    """The rest of the request in the language of the person a working link is for, as its
    email was: a phone that is not signed in often speaks another language than its owner
    chose here. Not when someone is signed in, or the visitor picked a language (its cookie).
    Returns the language if it was switched to, else ""."""
    if request.user.is_authenticated or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return ""
    translation.activate(person.preferred_language)
    request.LANGUAGE_CODE = person.preferred_language
    return person.preferred_language


@login_required
@require_POST
def phone_consent(request):
    """Give or withdraw consent to show my phone number to my circles' members."""
    form = PhoneConsentForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose whether to share your phone number."))
    user = request.user
    if not form.cleaned_data["share"]:
        user.withdraw_phone_consent()
        messages.success(request, _("Your phone number is hidden from other members again."))
    elif not user.phone:
        messages.error(request, _("Add your phone number first, then share it."))
    else:
        user.share_phone()
        messages.success(request, _("The members of your circles can now see your phone number."))
    return redirect("profile")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page to change my password, its form given the request: the current password
    is checked as a sign-in is, throttled per username and address (ChangePasswordForm)."""

    form_class = ChangePasswordForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page to choose a new password from an emailed link. The new password lifts
    the sign-in pause of this person at this address, as the pause's page promises ("set a new
    password if you have forgotten it"): the link proves the account is theirs. A pause from
    another address stays: the link says nothing about whoever guessed there.

    A person invited to a circle chooses their first password here: the page welcomes them to
    the circle, naming who invited them, and once it is saved they are signed in and taken to
    the circle's commitment, which being an ally asks of them, and emailed the circle's
    meetings ahead (circles.services.membership_take_up). Anyone else resets as Django does
    and then signs in, as before: see membership_to_welcome for who is welcomed."""

    # With several backends Django asks which one the session is to remember: the one that
    # loads the person on their next requests. The throttle's (SignInThrottleBackend) loads
    # nobody.
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    @cached_property
    def welcome(self) -> Membership | None:
        """The membership the person takes up (circles.services.membership_to_welcome), once
        the link is known to work: nothing about the account for a link that does not."""
        return circles_services.membership_to_welcome(self.user) if self.validlink else None

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "welcome": self.welcome}

    # A working link speaks the language of the person it is for, as its email did
    # (_speak_their_language): an invited citizen's phone often speaks another.
    def get(self, request, *args, **kwargs):
        self.their_language = _speak_their_language(request, self.user)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.their_language = _speak_their_language(request, self.user)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        clear_failures(self.request, form.user)
        self.post_reset_login = self.welcome is not None
        response = super().form_valid(form)
        if self.their_language:
            # The page that follows ("Password saved"), in the same language.
            _remember_language(response, self.their_language)
        if self.welcome is not None:
            # Theirs from now on, one they just picked with the switcher too, as it would be
            # from their next page (PreferredLanguageMiddleware): the email about the circle's
            # meetings speaks it, and so does the welcome on the page it shows on.
            adopt_chosen_language(self.request, form.user)
            circles_services.membership_take_up(membership=self.welcome)
            with translation.override(form.user.preferred_language or translation.get_language()):
                text = _(
                    "Welcome to %(circle)s. Being an ally is a commitment: read it here, and "
                    "commit if you agree."
                ) % {"circle": self.welcome.circle.name}
            messages.success(self.request, text, extra_tags=COMMITMENT_MESSAGE)
        return response

    def get_success_url(self):
        if self.welcome is None:
            return super().get_success_url()
        return reverse("circles:detail", args=[self.welcome.circle_id]) + "#commitment"


class PasswordResetView(auth_views.PasswordResetView):
    """Django's page to ask for a password reset email. Besides one email per person per
    PASSWORD_RESET_EMAIL_INTERVAL (ResetForm), one client address may ask only so often
    (PasswordResetRequest), whichever email addresses it names; the answer then is the same
    for every address named, so it tells nothing about who has an account."""

    form_class = ResetForm

    def form_valid(self, form):
        address = client_ip(self.request)
        if PasswordResetRequest.admit(address):
            return super().form_valid(form)
        log.warning("password reset refused ip=%s: too many requests from this address", address)
        minutes = round(settings.PASSWORD_RESET_ADDRESS_WINDOW.total_seconds() / 60)
        message = ngettext(
            "Too many requests for a new password came from your address. "
            "Try again in %(minutes)d minute.",
            "Too many requests for a new password came from your address. "
            "Try again in %(minutes)d minutes.",
            minutes,
        )
        form.add_error(None, message % {"minutes": minutes})
        response = self.form_invalid(form)
        response.status_code = 429
        return response
