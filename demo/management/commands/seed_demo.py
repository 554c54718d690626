from __future__ import annotations

from django.core.management.base import BaseCommand

from demo.seed import DEMO_SLUG, OWNER, REVIEWER, seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo study (harm-reduction) and its users 'researcher' (owner) and "
        "'committee' (reviewer). Safe to run again: it changes nothing, not even a password "
        "changed in the app since, unless --reset-passwords is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help="Password for the demo users this run creates (else generated)."
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Also set the password of demo users that exist already.",
        )

    def handle(self, *args, password=None, reset_passwords=False, **options):
        result = seed_demo(password=password, reset_passwords=reset_passwords)
        if result.created:
            study = result.study
            self.stdout.write(
                f"Created the demo study “{study.title}” ({DEMO_SLUG}): "
                f"{study.interviews.count()} interviews, {study.codes.count()} codes."
            )
        else:
            self.stdout.write(f"The demo study {DEMO_SLUG} is already there; left as it is.")
        for username in (OWNER, REVIEWER):
            if username in result.passwords:
                self.stdout.write(f"  {username}: password {result.passwords[username]}")
            else:
                self.stdout.write(
                    f"  {username}: password unchanged (--reset-passwords sets it again)"
                )
