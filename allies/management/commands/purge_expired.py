"""manage.py purge_expired: remove personal data that is no longer needed; run it daily."""

from django.conf import settings
from django.core.management.base import BaseCommand

from allies.privacy import purge_expired


class Command(BaseCommand):
    help = (
        "Remove dietary needs some days after the dinner, and the contact details of people "
        "who left every circle long ago, and new email addresses whose confirmation link "
        "expired, and the records of sign-ins some days after. Safe to run daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dietary-days",
            type=int,
            default=settings.DIETARY_NEEDS_RETENTION_DAYS,
            help="keep dietary needs this many days after the dinner (default %(default)s)",
        )
        parser.add_argument(
            "--contact-days",
            type=int,
            default=settings.CONTACT_DETAILS_RETENTION_DAYS,
            help="keep contact details this many days after leaving (default %(default)s)",
        )
        parser.add_argument(
            "--sign-in-days",
            type=int,
            default=settings.SIGN_IN_RETENTION_DAYS,
            help="keep the records of sign-ins and failed ones this many days "
            "(default %(default)s)",
        )

    def handle(self, *args, dietary_days, contact_days, sign_in_days, **options):
        removed = purge_expired(
            dietary_days=dietary_days, contact_days=contact_days, sign_in_days=sign_in_days
        )
        self.stdout.write(
            f"Removed dietary needs from {removed['dietary_needs']} answers and contact "
            f"details of {removed['contact_details']} former members, "
            f"{removed['email_changes']} new email addresses whose confirmation link expired, "
            f"and {removed['sign_ins']} records of sign-ins."
        )
