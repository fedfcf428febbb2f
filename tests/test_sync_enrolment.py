"""The enrolment state machine of a laptop, decided in app (service.enrolment): each state
allows what the Office and laptops panel offers, and the use cases refuse the rest with
nothing changed."""

from __future__ import annotations

from pathlib import Path

from app.core.identity import set_up_device
from app.core.paths import AppPaths
from app.core.store import open_store
from app.sync import service
from tests.helpers import DARLAG, refused

PASS = "demo-passphrase"


def test_each_state_allows_only_what_the_panel_offers(tmp_path: Path) -> None:
    master = open_store(AppPaths(tmp_path / "master"))
    field = open_store(AppPaths(tmp_path / "field"))
    try:
        # A laptop with no office may only ask to join one.
        assert service.enrolment(field) == service.Enrolment(
            service.NO_OFFICE, frozenset({service.REQUEST}))
        # The laptop that set the office up may set up sync, or ask to join.
        set_up_device(master, "县院主机", DARLAG)
        assert service.enrolment(master).state == service.NOT_SET_UP
        assert service.SET_UP in service.enrolment(master).actions
        refused(master, service.NOT_NOW[service.ACCEPT_GRANT], service.accept_grant,
                b"{}", PASS)
        refused(master, service.NOT_NOW[service.ENROL], service.enrol, b"{}", PASS)
        service.set_up_office(master, PASS)
        assert service.enrolment(master) == service.Enrolment(
            service.MASTER, frozenset({service.ENROL, service.REVOKE, service.EXCHANGE}))
        refused(master, service.NOT_NOW[service.REQUEST], service.enrolment_request, PASS)

        # A laptop that asked to join may accept the grant, but not set the office up.
        request = service.enrolment_request(field, PASS, DARLAG, "下乡笔记本")
        assert service.enrolment(field) == service.Enrolment(
            service.REQUESTED, frozenset({service.REQUEST, service.ACCEPT_GRANT}))
        refused(field, service.NOT_NOW[service.SET_UP], service.set_up_office, PASS)
        refused(field, service.NOT_NOW[service.REVOKE], service.revoke,
                master.device_id or "", PASS)
        grant = service.enrol(master, request, PASS)
        service.accept_grant(field, grant, PASS)
        assert service.enrolment(field) == service.Enrolment(
            service.AWAITING_DATA,
            frozenset({service.REQUEST, service.ACCEPT_GRANT, service.EXCHANGE}))
        refused(field, service.NOT_NOW[service.ENROL], service.enrol, request, PASS)
        refused(field, service.NOT_NOW[service.SET_UP], service.set_up_office, PASS)

        # Revoked (the roster saying so reached it): nothing more.
        service.revoke(master, field.device_id or "", PASS)
        found = service.stored_roster(master)
        assert found is not None
        with field.write() as session:
            service._keep_roster(session, found.signed, found.office_public_key)
        assert service.enrolment(field) == service.Enrolment(service.REVOKED, frozenset())
        refused(field, service.NOT_NOW[service.REQUEST], service.enrolment_request, PASS)
        refused(field, service.NOT_NOW[service.ACCEPT_GRANT], service.accept_grant, grant,
                PASS)
        refused(field, service.NOT_NOW[service.SET_UP], service.set_up_office, PASS)
    finally:
        for store in (master, field):
            store.close()
