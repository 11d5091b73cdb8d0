from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from allies import feed, views
from allies.forms import LoginForm

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(
            # How often an email may go, in minutes, for the page to say.
            extra_context={
                "minutes": round(settings.PASSWORD_RESET_EMAIL_INTERVAL.total_seconds() / 60)
            }
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/password_change/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("accounts/profile/feed/reset/", feed.feed_reset, name="calendar_feed_reset"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/profile/phone-consent/", views.phone_consent, name="phone_consent"),
    # Before the link's pattern, which would take "cancel" for a token.
    path(
        "accounts/profile/email/cancel/",
        views.email_change_cancel,
        name="email_change_cancel",
    ),
    path(
        "accounts/profile/email/<str:token>/",
        views.email_change_confirm,
        name="email_change_confirm",
    ),
    path("accounts/my-data/", views.my_data, name="my_data"),
    path("privacy/", views.privacy_statement, name="privacy_statement"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("calendar/<str:token>.ics", feed.calendar_feed, name="calendar_feed"),
    path("", include("circles.urls")),
    path("", include("meetings.urls")),
    path("", include("actions.urls")),
    path("", include("polls.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]
