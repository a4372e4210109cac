"""``flask lok create-staff`` and ``flask lok demo``.

Commands run inside a request context built from ``SERVER_BASE_URL`` so mail templates, links and
the audit log work as they do in a request.
"""
from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from lokapp.auth import services
from lokapp.auth.demo import DEMO_PASSWORD, run_demo
from lokapp.auth.models import GlobalRole, StaffArea
from lokapp.auth.passwords import password_problem
from lokapp.cli import lok
from lokapp.extensions import db

_ROLE_CHOICES = click.Choice([r.value for r in GlobalRole])
_AREA_CHOICES = click.Choice([a.value for a in StaffArea])


def _request_context():
    return current_app.test_request_context("/", environ_base={"REMOTE_ADDR": ""})


@lok.command("create-staff")
@click.option("--email", required=True, help="E-postadress (blir inloggningsnamnet).")
@click.option("--name", required=True, help="För- och efternamn.")
@click.option("--role", "roles", multiple=True, required=True, type=_ROLE_CHOICES,
              help="Roll; ange flera gånger för flera roller.")
@click.option("--area", "areas", multiple=True, type=_AREA_CHOICES,
              help="Område; ange flera gånger för flera områden.")
@click.option("--limit", "limit", type=click.IntRange(min=0, max=1_000_000_000), default=None,
              help="Delegationsgräns i hela kronor.")
@click.option("--title", default=None, help="Titel i beslutsbrev.")
@click.option("--password", default=None,
              help="Lösenord. Utelämna för att bli tillfrågad (dolt, två gånger).")
@click.option("--send-invite", is_flag=True,
              help="Skicka en länk för att välja lösenord i stället för att ange ett.")
def create_staff_command(email, name, roles, areas, limit, title, password, send_invite):
    """Skapa ett konto för en medarbetare på staden."""
    if password and send_invite:
        raise click.UsageError("Ange antingen --password eller --send-invite, inte båda.")
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise click.BadParameter(f"Ogiltig e-postadress: {exc}", param_hint="--email") from None
    name = name.strip()
    if not name or len(name) > 120:
        raise click.BadParameter("Namnet ska ha 1–120 tecken.", param_hint="--name")
    with _request_context():
        if services.find_user_by_email(email) is not None:
            raise click.ClickException(f"Det finns redan ett konto med e-postadressen {email}.")
        if not send_invite and password is None:
            password = click.prompt("Lösenord", hide_input=True)
            again = click.prompt("Skriv lösenordet en gång till", hide_input=True)
            if again != password:
                raise click.ClickException("Lösenorden är inte likadana. Inget konto skapades.")
        if password is not None:
            problem = password_problem(password, email=email, name=name)
            if problem:
                raise click.ClickException(str(problem))
        user = services.create_staff(
            name=name, email=email, roles=roles, areas=areas, title=title,
            delegation_limit_sek=limit, password=password, send_invite=send_invite, via="cli",
        )
        db.session.commit()
        click.echo(f"Skapade {user.email} ({', '.join(sorted(user.role_names))}).")
        if send_invite:
            click.echo("En länk för att välja lösenord ligger i utkorgen (flask outbox send).")


@lok.command("demo")
def demo_command():
    """Lägg in demodata för utveckling (kan köras flera gånger)."""
    if current_app.config["LOKAPP_ENV"] == "production":
        raise click.ClickException(
            "Demodata får inte läggas in i produktion (LOKAPP_ENV=production). "
            "Kör kommandot i en utvecklingsmiljö.")
    with _request_context():
        lines = run_demo()
        db.session.commit()
    for line in lines:
        click.echo(line)
    click.echo(f"Klart. Alla demokonton har lösenordet {DEMO_PASSWORD}.")
