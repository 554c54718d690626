"""The withdrawal window (interviews.consent): each respondent's interview date, the study's
window in days, the table saying whose window is open, a late withdrawal said to be late."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from interviews import services
from interviews.consent import WindowState, with_interview_dates, withdrawal_window
from tests.conftest import HTMX, client_for, import_text


def dated_interview(study, pseudonym: str, conducted_on: date):
    outcome = services.interview_import(
        study=study,
        name=f"{pseudonym}-interview.txt",
        raw=f"Interviewer: How long?\nRespondent: Since {conducted_on}.\n".encode(),
        conducted_on=conducted_on,
    )
    assert outcome.ok, outcome.error
    return outcome.interview.respondent


def window_of(study, respondent, today):
    study.refresh_from_db()
    return withdrawal_window(respondent=respondent, study=study, today=today)


def set_window(study, days):
    services.study_update(
        study=study,
        title=study.title,
        research_question="",
        description="",
        withdrawal_days=days,
    )


def test_the_window_is_open_through_its_last_day_and_closed_the_next(study):
    set_window(study, 7)
    respondent = services.respondent_create(
        study=study, pseudonym="R1", interviewed_on=date(2026, 11, 29)
    )
    assert window_of(study, respondent, date(2026, 12, 6)).state == WindowState.OPEN
    assert window_of(study, respondent, date(2026, 12, 6)).closes_on == date(2026, 12, 6)
    assert window_of(study, respondent, date(2026, 12, 7)).state == WindowState.CLOSED


def test_without_a_date_the_latest_transcript_opens_the_window(study):
    set_window(study, 7)
    respondent = dated_interview(study, "R1", date(2026, 11, 1))
    dated_interview(study, "R1", date(2026, 11, 20))  # a follow-up renews the promise
    window = window_of(study, respondent, date(2026, 11, 25))
    assert (window.state, window.interviewed_on) == (WindowState.OPEN, date(2026, 11, 20))
    # The date typed on the respondent is the one the researcher recorded: it wins.
    services.respondent_update(
        respondent=respondent, pseudonym="R1", attributes={}, interviewed_on=date(2026, 11, 1)
    )
    assert window_of(study, respondent, date(2026, 11, 25)).state == WindowState.CLOSED


def test_a_respondent_without_a_transcript_or_date_has_an_undated_window(study):
    set_window(study, 7)
    respondent = services.respondent_create(study=study, pseudonym="R9")
    assert window_of(study, respondent, date(2026, 11, 25)).state == WindowState.UNDATED
    [annotated] = with_interview_dates(study.respondents.filter(pk=respondent.pk))
    assert annotated.last_conducted_on is None


def test_a_study_that_promised_no_window_has_none(study):
    respondent = services.respondent_create(
        study=study, pseudonym="R1", interviewed_on=date(2026, 11, 29)
    )
    assert window_of(study, respondent, date(2026, 11, 29)).state == WindowState.NONE


def test_an_update_that_leaves_the_date_out_keeps_it(study):
    respondent = services.respondent_create(
        study=study, pseudonym="R1", interviewed_on=date(2026, 11, 29)
    )
    services.respondent_update(respondent=respondent, pseudonym="R1b", attributes={})
    respondent.refresh_from_db()
    assert respondent.interviewed_on == date(2026, 11, 29)


def table(owner, study) -> str:
    return client_for(owner).get(reverse("respondents", args=[study.slug])).content.decode()


def test_the_table_says_whose_window_is_open(study, owner, django_assert_num_queries):
    set_window(study, 7)
    today = timezone.localdate()
    services.respondent_create(study=study, pseudonym="R1", interviewed_on=today)
    services.respondent_create(
        study=study, pseudonym="R2", interviewed_on=today - timedelta(days=8)
    )
    services.respondent_create(study=study, pseudonym="R3")  # transcript not imported yet
    dated_interview(study, "R4", today - timedelta(days=7))  # its last day
    client = client_for(owner)
    # session, user, study+role, respondents with their interview counts and latest dates,
    # the study's counts (interviews.counts.study_counts)
    with django_assert_num_queries(5):
        html = client.get(reverse("respondents", args=[study.slug])).content.decode()
    rows = {row.split("</th>")[0].rsplit(">", 1)[1]: row for row in html.split('<tr id="')[1:]}

    def day(days_from_today: int) -> str:
        return date_format(today + timedelta(days=days_from_today), "j M Y")

    # Said in the text, for keyboard and touch users too: no tooltip (title=) holds it.
    assert f"withdrawal window open until {day(7)} (interviewed {day(0)})</span>" in rows["R1"]
    assert f"withdrawal window closed {day(-1)} (interviewed {day(-8)})</span>" in rows["R2"]
    assert (
        "no interview date, so no withdrawal window: type the date with Edit, or import a "
        "dated transcript</span>"
    ) in rows["R3"]
    assert f"withdrawal window open until {day(0)} (interviewed {day(-7)})</span>" in rows["R4"]
    assert not any("title=" in row for row in rows.values())


@pytest.mark.parametrize(
    ("zone", "state"), [("Pacific/Pago_Pago", "open until"), ("Pacific/Kiritimati", "closed")]
)
def test_the_window_is_counted_in_the_users_time_zone(study, owner, settings, zone, state):
    # Samoa's American side (UTC-11) and Kiritimati (UTC+14) are always on different days:
    # a window whose last day is today in Pago Pago has closed in Kiritimati.
    set_window(study, 0)
    pago_pago = datetime.now(zoneinfo.ZoneInfo("Pacific/Pago_Pago")).date()
    services.respondent_create(study=study, pseudonym="R1", interviewed_on=pago_pago)
    settings.TIME_ZONE = zone
    assert state in table(owner, study)


def withdraw(owner, study, respondent, **headers):
    url = reverse("respondent_withdraw", args=[study.slug, respondent.pk])
    return client_for(owner).post(url, headers=headers, follow=not headers)


def test_a_withdrawal_after_the_window_is_made_and_said_to_be_late(study, owner):
    set_window(study, 7)
    interviewed = timezone.localdate() - timedelta(days=10)
    respondent = services.respondent_create(
        study=study, pseudonym="R1", interviewed_on=interviewed
    )
    assert "this withdrawal is late" in table(owner, study)  # the confirmation says so first
    html = withdraw(owner, study, respondent, **HTMX).content.decode()
    respondent.refresh_from_db()
    assert respondent.is_withdrawn
    closed = date_format(interviewed + timedelta(days=7), "j M Y")
    assert f"<bdi>R1</bdi> is withdrawn, late: their withdrawal window closed on {closed}" in html
    assert 'hx-swap-oob="true"' in html
    # The row keeps saying it, with the days in the text rather than in a tooltip.
    withdrawn = date_format(timezone.localdate(respondent.withdrawn_at), "j M Y")
    row = f"Withdrawn {withdrawn}</span>"
    late = f"late: withdrawn after the window closed {closed}</span>"
    assert row in html
    assert late in html
    assert row in table(owner, study)
    assert late in table(owner, study)


def test_a_late_withdrawal_without_htmx_says_so_on_the_page(study, owner):
    set_window(study, 7)
    respondent = services.respondent_create(
        study=study, pseudonym="R1", interviewed_on=timezone.localdate() - timedelta(days=8)
    )
    html = withdraw(owner, study, respondent).content.decode()
    assert "<bdi>R1</bdi> is withdrawn, late" in html


def test_a_withdrawal_within_the_window_is_not_called_late(study, owner):
    set_window(study, 7)
    respondent = services.respondent_create(
        study=study, pseudonym="R1", interviewed_on=timezone.localdate() - timedelta(days=7)
    )
    assert "this withdrawal is late" not in table(owner, study)
    html = withdraw(owner, study, respondent, **HTMX).content.decode()
    assert "late" not in html
    assert "Withdrawn" in html


def test_the_interview_date_is_typed_in_the_row(study, owner):
    respondent = import_text(study).respondent
    url = reverse("respondent_edit", args=[study.slug, respondent.pk])
    client = client_for(owner)
    client.post(url, {"pseudonym": "R1", "interviewed_on": "2026-11-29"}, headers=HTMX)
    respondent.refresh_from_db()
    assert respondent.interviewed_on == date(2026, 11, 29)
    html = client.post(
        url, {"pseudonym": "R1", "interviewed_on": "29/13/2026"}, headers=HTMX
    ).content.decode()
    assert "Give the interview date as a date, e.g. 2025-03-03." in html
    respondent.refresh_from_db()
    assert respondent.interviewed_on == date(2026, 11, 29)


def test_the_row_s_form_says_the_interview_date_its_transcript_gives(study, owner):
    """The row read "(interviewed 3 Mar 2025)", the date of the respondent's transcript,
    and its form an empty "Interviewed on", as if the respondent had no date. The form
    says the date in effect; its field stays empty (saving does not fix the date: a later
    transcript's still counts), and a date typed there is shown in it."""
    respondent = dated_interview(study, "R1", date(2025, 3, 3))
    url = reverse("respondent_edit", args=[study.slug, respondent.pk])
    client = client_for(owner)
    said = "Interviewed on: left empty, the date of their latest transcript counts, 3 Mar 2025."
    for headers in (HTMX, {}):  # the row for htmx, the whole table without JavaScript
        html = client.get(url, headers=headers).content.decode()
        assert html.count(said) == 1
        assert (
            f'name="interviewed_on" value="" aria-describedby="interviewed-on-{respondent.pk}"'
            in html
        )
        assert f'<p class="help" id="interviewed-on-{respondent.pk}">{said}</p>' in html
    client.post(url, {"pseudonym": "R1"}, headers=HTMX)
    respondent.refresh_from_db()
    assert respondent.interviewed_on is None
    client.post(url, {"pseudonym": "R1", "interviewed_on": "2025-03-05"}, headers=HTMX)
    html = client.get(url, headers=HTMX).content.decode()
    assert 'name="interviewed_on" value="2025-03-05">' in html
    assert "left empty" not in html


def test_a_new_respondent_keeps_a_bad_date_typed_and_is_not_added(study, owner):
    url = reverse("respondents", args=[study.slug])
    html = (
        client_for(owner)
        .post(url, {"pseudonym": "R5", "interviewed_on": "soon"}, headers=HTMX)
        .content.decode()
    )
    assert "Give the interview date as a date" in html
    assert 'value="soon"' in html
    assert not study.respondents.exists()


def test_the_owner_sets_the_window_in_the_study_settings(study, owner):
    url = reverse("study_settings", args=[study.slug])
    client = client_for(owner)
    data = {"title": study.title, "page_size": "a4", "withdrawal_days": "7"}
    assert client.post(url, data).status_code == 302
    study.refresh_from_db()
    assert study.withdrawal_days == 7
    for typed, message in [
        ("-1", "The withdrawal window cannot be negative."),
        ("a week", "Give the withdrawal window as a whole number of days."),
    ]:
        response = client.post(url, {**data, "withdrawal_days": typed})
        assert response.status_code == 200
        assert message in response.content.decode()
    study.refresh_from_db()
    assert study.withdrawal_days == 7
    client.post(url, {**data, "withdrawal_days": ""})
    study.refresh_from_db()
    assert study.withdrawal_days is None
