from __future__ import annotations

import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.naming import tidy

# Three tries, as sudo gives: enough for a typo, and a script feeding the prompt something
# wrong stops instead of looping.
_TRIES = 3


class Command(BaseCommand):
    help = (
        "Create an account for a colleague: USERNAME, and a password typed twice (never on "
        "the command line, where the shell's history would keep it), checked by the "
        "settings' password validators. The new account can then be added to a study on "
        "its Members page. It is an ordinary account: it sees no study until invited."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The name they log in with (at most 150 characters).")
        parser.add_argument("--email", default="", help="For resetting a forgotten password.")

    def handle(self, *args, username, email, **options):
        User = get_user_model()
        username = tidy(username)
        user = User(username=username, email=User.objects.normalize_email(email))
        try:
            user.clean_fields(exclude=["password"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        # The app finds people by name whatever the case (the Members page), so two accounts
        # told apart only by case would be one person to it.
        taken = User.objects.filter(username__iexact=username).values_list("username", flat=True)
        if taken:
            raise CommandError(f"There is already an account called “{taken[0]}”.")
        user.set_password(self._password(user))
        user.save()
        self.stdout.write(
            f"Created the account “{username}”. An owner can now add it to a study on the "
            "study's Members page."
        )

    def _password(self, user) -> str:
        """A password typed twice alike and accepted by AUTH_PASSWORD_VALIDATORS, or
        CommandError after three tries."""
        for _ in range(_TRIES):
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The two passwords differ; type them again.")
                continue
            try:
                validate_password(password, user)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
                continue
            return password
        raise CommandError("No account was created: no acceptable password was given.")
