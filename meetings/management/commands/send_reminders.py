from django.core.management.base import BaseCommand

from circles.health import refresh_summaries
from meetings.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Send the reminders that are due (dinners, action due dates, overdue actions, record "
        "the dinner, date polls not answered, commitments that run out). Each goes out once: "
        "safe to run every few minutes from cron. Also works out again the circle summaries "
        "that no longer hold, so that the staff overview's first visit after New Year does not "
        "wait for all of them."
    )

    def handle(self, *args, **options):
        counts = send_reminders()
        summary = ", ".join(f"{kind}: {n}" for kind, n in counts.items())
        self.stdout.write(f"Reminders sent ({summary}).")
        self.stdout.write(f"Circle summaries worked out again: {refresh_summaries()}.")
