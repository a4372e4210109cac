"""Seasonal allocation: ranking by the published rules, conflicts, the proposal, allocating by
hand, copying last season's application."""
from __future__ import annotations

import pytest

from lokapp.bookings import seasons
from lokapp.bookings.season_models import SeasonApplication
from lokapp.bookings.season_workflow import SEASON_WORKFLOW
from lokapp.core.workflow import can_act
from lokapp.extensions import db
from tests.bookings.season_helpers import apply, make_round, manager, wish


@pytest.fixture(autouse=True)
def _request_context(app, db):
    with app.test_request_context():
        yield


@pytest.fixture
def hall(make_premises):
    return make_premises(name="Bäckby idrottshall")


@pytest.fixture
def gym(make_premises):
    return make_premises(name="Skiljebo gymnastiksal")


def _order(season_round):
    return [r.application.association.name for r in seasons.rank(season_round)]


def test_youth_share_ranks_first_and_the_reasons_are_shown(hall, make_user, make_association):
    season_round = make_round([hall])
    for name, youth, adults in (("Vuxenkören", 0, 20), ("Ungdomsfotbollen", 18, 2),
                                ("Blandade laget", 5, 5)):
        user, association = manager(make_user, make_association, name)
        apply(season_round, association, user, wish(1, 18, 20, hall, youth=youth, adults=adults))
    ranked = seasons.rank(season_round)
    assert [r.application.association.name for r in ranked] == [
        "Ungdomsfotbollen", "Blandade laget", "Vuxenkören"]
    assert [r.rank for r in ranked] == [1, 2, 3]
    assert ranked[0].reasons[0] == "1. Barn- och ungdomsverksamhet: 90 % av deltagarna är 7–25 år"
    assert ranked[2].reasons[0].endswith(": 0 % av deltagarna är 7–25 år")
    assert len(ranked[0].reasons) == 4


def test_last_season_and_rule_order(hall, make_user, make_association):
    previous = make_round([hall], name="Våren 2027")
    old_user, regular = manager(make_user, make_association, "Stamgästerna")
    [old] = apply(previous, regular, old_user, wish(1, 18, 20, hall))
    old.allocated_premises_id = hall.id
    season_round = make_round([hall], previous=previous, keys=["youth", "last_season"])
    user, newcomer = manager(make_user, make_association, "Nykomlingarna")
    apply(season_round, newcomer, user, wish(1, 18, 20, hall))
    apply(season_round, regular, old_user, wish(1, 19, 21, hall))
    ranked = seasons.rank(season_round)
    # Same youth share (0 %): last season's use of the slot decides.
    assert [r.application.association.name for r in ranked] == ["Stamgästerna", "Nykomlingarna"]
    assert ranked[0].reasons[1] == "2. Samma tid förra säsongen: ja"
    assert ranked[1].reasons[1] == "2. Samma tid förra säsongen: nej"
    # Without the rule, the earlier application goes first.
    season_round.priority_keys = ["applied_at"]
    assert _order(season_round) == ["Nykomlingarna", "Stamgästerna"]


def test_eligibility_comes_from_the_register_rule(hall, make_user, make_association,
                                                  monkeypatch):
    season_round = make_round([hall], keys=["eligible", "applied_at"])
    first_user, first = manager(make_user, make_association, "Tidigt ute")
    apply(season_round, first, first_user, wish(2, 17, 19, hall))
    second_user, second = manager(make_user, make_association, "Bidragsberättigade")
    apply(season_round, second, second_user, wish(2, 17, 19, hall))
    # The register's rule: a registered association with nothing uploaded is not eligible.
    ranked = seasons.rank(season_round)
    assert not any(r.is_eligible for r in ranked)
    assert _order(season_round) == ["Tidigt ute", "Bidragsberättigade"]
    monkeypatch.setattr(seasons, "_eligibility",
                        lambda applications, on: {second.id: True, first.id: False})
    ranked = seasons.rank(season_round)
    assert [r.application.association.name for r in ranked] == ["Bidragsberättigade",
                                                                 "Tidigt ute"]
    assert ranked[0].reasons[0] == "1. Bidragsberättigad förening: ja"


def test_conflicts_are_overlapping_wishes_for_the_same_premises_and_weekday(
        hall, gym, make_user, make_association):
    season_round = make_round([hall, gym])
    names = {}
    for name, data in (("A", wish(1, 18, 20, hall)), ("B", wish(1, 19, 21, hall, gym)),
                       ("C", wish(1, 20, 22, hall)), ("D", wish(2, 18, 20, hall)),
                       ("E", wish(1, 18, 20, gym))):
        user, association = manager(make_user, make_association, name)
        [names[name]] = apply(season_round, association, user, data)
    board = seasons.board(season_round)
    cells = {(c.premises.name, c.weekday): c for c in board.cells}

    def conflicts(cell, name):
        row = next(r for r in cell.rows if r.ranked.wish is names[name])
        return sorted(o.application.association.name for o in row.conflicts)

    tuesday = cells[("Bäckby idrottshall", 1)]
    assert conflicts(tuesday, "A") == ["B"]            # 18–20 and 19–21 overlap
    assert conflicts(tuesday, "B") == ["A", "C"]
    assert conflicts(tuesday, "C") == ["B"]            # 20–22 after 18–20: back to back is fine
    assert conflicts(cells[("Bäckby idrottshall", 2)], "D") == []   # another weekday
    gym_tuesday = cells[("Skiljebo gymnastiksal", 1)]  # B's second choice meets E
    assert conflicts(gym_tuesday, "B") == ["E"]
    assert next(r for r in gym_tuesday.rows if r.ranked.wish is names["B"]).choice == 2


def _allocated(season_round):
    return [w for a in seasons.load_applications(season_round) for w in a.wishes
            if w.allocated_premises_id is not None]


def _assert_no_overlap(season_round):
    given = _allocated(season_round)
    for a in given:
        for b in given:
            if a is not b and a.allocated_premises_id == b.allocated_premises_id:
                assert not seasons.overlaps(a, b), (a.id, b.id)


def test_proposal_by_priority_first_then_second_choice_never_overlapping(
        make_premises, make_user, make_association):
    hall = make_premises(name="Hallen")
    gym = make_premises(name="Gympan")
    season_round = make_round([hall, gym], keys=["youth"])
    officer = make_user("officer", areas=("bookings",))
    made = {}
    for name, data in (
            ("Unga", wish(1, 18, 20, hall, gym, youth=10, adults=0)),
            ("Halvunga", wish(1, 18, 20, hall, gym, youth=5, adults=5)),   # hall taken → gym
            ("Vuxna", wish(1, 18, 20, hall, adults=10)),                   # no second choice
            ("Sena", wish(1, 20, 22, hall, gym, youth=1, adults=9)),       # hall closes 20:00
            ("Lördag", wish(5, 10, 12, hall, gym, youth=3, adults=3))):     # hall closed Sat
        user, association = manager(make_user, make_association, name)
        [made[name]] = apply(season_round, association, user, data)
    # The hall's hours change after the applications: shorter Tuesdays, closed on Saturdays.
    hall.hours_for(1).closes_minute = 20 * 60
    hall.opening_hours.remove(hall.hours_for(5))
    db.session.flush()

    counts = seasons.auto_allocate(season_round, officer)
    assert counts == {"first": 1, "second": 3, "none": 1, "manual": 0}
    assert made["Unga"].allocated_premises_id == hall.id
    assert made["Unga"].decision_reason == "Förstahandsval."
    assert made["Halvunga"].allocated_premises_id == gym.id
    assert made["Vuxna"].allocated_premises_id is None
    assert "högre prioritet" in made["Vuxna"].decision_reason
    assert made["Sena"].allocated_premises_id == gym.id
    assert made["Lördag"].allocated_premises_id == gym.id
    _assert_no_overlap(season_round)
    # Run again: the same result (the proposal starts from scratch each time).
    assert seasons.auto_allocate(season_round, officer) == counts


def test_manual_allocations_need_a_reason_are_checked_and_survive_the_proposal(
        hall, gym, make_user, make_association):
    season_round = make_round([hall, gym], keys=["youth"])
    officer = make_user("officer", areas=("bookings",))
    young_user, young = manager(make_user, make_association, "Unga")
    [first] = apply(season_round, young, young_user, wish(3, 18, 20, hall, youth=10, adults=0))
    old_user, old = manager(make_user, make_association, "Gamla")
    [second] = apply(season_round, old, old_user, wish(3, 18, 20, hall, gym, adults=10))

    with pytest.raises(seasons.SeasonError, match="Skriv varför"):
        seasons.allocate(second, hall.id, "  ", officer)
    seasons.allocate(second, hall.id, "Har haft tiden i tjugo år.", officer)
    with pytest.raises(seasons.SeasonError, match="redan tilldelad Gamla 18:00–20:00"):
        seasons.allocate(first, hall.id, "Ungdom först", officer)
    with pytest.raises(seasons.SeasonError, match="önskade lokaler"):
        seasons.allocate(first, gym.id, "Inte önskad", officer)
    season_round.premises.remove(gym)       # a choice no longer in the round
    with pytest.raises(seasons.SeasonError, match="önskade lokaler"):
        seasons.allocate(second, gym.id, "Andra hand", officer)
    season_round.premises.append(gym)

    seasons.auto_allocate(season_round, officer)
    assert second.allocated_premises_id == hall.id and second.is_manual
    assert first.allocated_premises_id is None          # the hand-made choice stands
    _assert_no_overlap(season_round)

    with pytest.raises(seasons.SeasonError, match="Skriv varför önskemålet inte tilldelas"):
        seasons.unallocate(second, "", officer)
    seasons.unallocate(second, "Fel av mig", officer)
    assert second.allocated_premises_id is None and second.decision_reason == "Fel av mig"
    seasons.auto_allocate(season_round, officer)
    assert first.allocated_premises_id == hall.id        # now free for the proposal
    assert second.allocated_premises_id is None          # taken back by hand: stays so


def test_copy_last_season(hall, gym, make_premises, make_user, make_association):
    closed_down = make_premises(name="Rivna lokalen")
    previous = make_round([hall, gym, closed_down], name="Våren 2027")
    user, association = manager(make_user, make_association, "Kopierarna")
    apply(previous, association, user, wish(1, 18, 20, hall, closed_down, youth=4, adults=1),
          wish(3, 17, 19, closed_down))
    season_round = make_round([hall, gym], previous=previous)

    copied, skipped = seasons.copy_previous(season_round, association, user)
    assert (copied, skipped) == (1, 1)
    application = seasons.application_for(season_round, association.id)
    [copy] = application.wishes
    assert (copy.weekday, copy.start_minute, copy.end_minute, copy.premises_id,
            copy.alt_premises_id) == (1, 18 * 60, 20 * 60, hall.id, None)
    assert copy.count("13-20", "woman") == 4 and copy.total_participants == 5
    assert application.case.number and application.case.state == "submitted"
    with pytest.raises(seasons.SeasonError, match="redan önskemål"):
        seasons.copy_previous(season_round, association, user)


def test_copy_without_a_previous_application_says_so(hall, make_user, make_association):
    previous = make_round([hall], name="Våren 2027")
    season_round = make_round([hall], previous=previous)
    user, association = manager(make_user, make_association)
    with pytest.raises(seasons.SeasonError, match="sökte inga tider i Våren 2027"):
        seasons.copy_previous(season_round, association, user)


def test_one_application_per_association_and_round(hall, make_user, make_association):
    season_round = make_round([hall])
    user, association = manager(make_user, make_association)
    apply(season_round, association, user, wish(0, 17, 18, hall), wish(2, 17, 18, hall))
    applications = db.session.scalars(db.select(SeasonApplication).where(
        SeasonApplication.round_id == season_round.id)).all()
    assert len(applications) == 1 and len(applications[0].wishes) == 2


@pytest.mark.parametrize(("data", "message"), [
    (lambda h, g: wish(1, 18, 20, h, h), "annan lokal än förstahandsvalet"),
    (lambda h, g: wish(1, 6, 8, h), "öppen 08:00–22:00"),
    (lambda h, g: wish(1, 18, 18.25, h), "jämna 30 minuter"),
    (lambda h, g: wish(1, 18, 20, h, adults=0), "hur många deltagare"),
])
def test_bad_wishes_get_clear_messages(hall, gym, make_user, make_association, data, message):
    season_round = make_round([hall, gym])
    user, association = manager(make_user, make_association)
    with pytest.raises(seasons.SeasonError) as error:
        seasons.save_wish(season_round, association, user, data(hall, gym))
    assert message in error.value.message
    assert seasons.application_for(season_round, association.id) is None


def test_premises_outside_the_round_is_refused(hall, make_premises, make_user,
                                               make_association):
    other = make_premises(name="Annan lokal")
    season_round = make_round([hall])
    user, association = manager(make_user, make_association)
    with pytest.raises(seasons.SeasonError, match="ingår i omgången"):
        seasons.save_wish(season_round, association, user, wish(1, 18, 20, other))


def test_an_officer_cannot_allocate_their_own_associations_wish(hall, make_user,
                                                                make_association):
    from tests.bookings.helpers import add_member

    season_round = make_round([hall])
    user, association = manager(make_user, make_association, "Handläggarens klubb")
    [own] = apply(season_round, association, user, wish(1, 18, 20, hall))
    officer = make_user("officer", areas=("bookings",))
    add_member(officer, association)
    with pytest.raises(seasons.SeasonError, match="jävig"):
        seasons.allocate(own, hall.id, "Min egen klubb", officer)
    with pytest.raises(seasons.SeasonError, match="jävig"):
        seasons.unallocate(own, "Min egen klubb", officer)
    colleague = make_user("officer", areas=("bookings",))
    seasons.allocate(own, hall.id, "Ledig tid", colleague)
    assert own.allocated_premises_id == hall.id


@pytest.mark.parametrize("transition", [t.action for t in SEASON_WORKFLOW.transitions])
def test_every_transition_of_the_season_workflow_has_its_people(
        transition, hall, make_user, make_association):

    season_round = make_round([hall])
    user, association = manager(make_user, make_association)
    [made] = apply(season_round, association, user, wish(1, 18, 20, hall))
    case = made.application.case
    officer = make_user("officer", areas=("bookings",))
    stranger = make_user()
    row = next(t for t in SEASON_WORKFLOW.transitions if t.action == transition)
    source = row.sources[0]
    case.state = str(source)
    allowed = {"submit": user, "withdraw": user, "decide": officer}[transition]
    assert can_act(allowed, case, transition)
    assert not can_act(stranger, case, transition)
    assert not can_act(officer if allowed is user else user, case, transition)


def test_the_overview_counts_conflicts_as_every_pair_would(make_premises, make_user,
                                                            make_association):
    """The overview's sweep per premises and weekday agrees with comparing every pair, and
    one premises' tables name the same conflicts as the whole board."""
    import random

    rng = random.Random(7)
    hall, gym = make_premises(name="A-hallen"), make_premises(name="B-salen")
    season_round = make_round([hall, gym], keys=["applied_at"])
    for n in range(12):
        user, association = manager(make_user, make_association, f"Klubb {n}")
        made = []
        for _ in range(3):
            start = rng.choice([16, 16.5, 17, 18, 19, 20])
            first, second = rng.sample([hall, gym], 2)
            made.append(wish(rng.choice([1, 2]), start, start + rng.choice([1, 1.5, 2]),
                             first, second if rng.random() < 0.5 else None))
        apply(season_round, association, user, *made)
    whole = seasons.board(season_round)
    wishes = [r.wish for r in whole.ranked]
    for summary in whole.summaries:
        pid = summary.premises.id
        naming = [w for w in wishes if pid in w.choices]
        expected = sum(1 for w in naming if any(o is not w and seasons.overlaps(w, o)
                                                for o in naming))
        assert summary.conflicts == expected
        assert summary.first_choice == sum(1 for w in naming if w.premises_id == pid)
    clashing = {w.id for w in wishes
                if any(o is not w and seasons.overlaps(w, o) and set(w.choices) & set(o.choices)
                       for o in wishes)}
    assert whole.conflict_count == len(clashing) > 0
    one = seasons.board(season_round, gym.id)
    assert {c.premises.id for c in one.cells} == {gym.id}
    assert ([[(r.ranked.wish.id, [o.wish.id for o in r.conflicts]) for r in c.rows]
             for c in one.cells]
            == [[(r.ranked.wish.id, [o.wish.id for o in r.conflicts]) for r in c.rows]
                for c in whole.cells if c.premises.id == gym.id])
    assert one.summaries == whole.summaries and one.conflict_count == whole.conflict_count
