"""Premises booking (lokalbokning): the catalogue, the rules, availability and bookings.

Vocabulary
    premises        A bookable room or hall (lokal): :class:`~.models.Premises`. Administrators
                    keep the catalogue; visitors see the published ones at ``/lokaler``.
    opening hours   One row per weekday (:class:`~.models.OpeningHours`) in local wall-clock
                    minutes; a weekday without a row is closed.
    closed days     Swedish public holidays and the de facto ones (midsommarafton, julafton,
                    nyårsafton) from the ``holidays`` package, unless the premises stays open
                    on holidays, and the premises' blackout periods
                    (:class:`~.models.Blackout`, avstängning).
    rules           Per premises: minimum and maximum length, slot size (start and end on the
                    slot boundaries), how far ahead, the cancellation deadline, the most active
                    bookings one booker may hold, instant confirmation or approval. Checked by
                    :mod:`.rules`, the only place they live.
    booker          Who books: a resident for themselves (private or commercial), or an
                    association through one of its booking managers (bokningsansvarig) or
                    administrators. The booker type chooses the tariff.
    tariff          Taxa per booker type (association, youth activity of an eligible
                    association, resident, commercial), peak and off-peak, in öre per hour
                    (:class:`~.models.Tariff`, priced by :mod:`.pricing`).
    series          :class:`~.models.BookingSeries`: one request – a single date, weekly, every
                    other week or chosen dates – with the booker, the purpose and the accepted
                    terms. A series that needs approval is a ``booking`` case (:mod:`.workflow`).
    occurrence      :class:`~.models.BookingOccurrence`: one date of a series with its own
                    state (requested, confirmed, cancelled, rejected) and its own price.
                    *Active* = requested or confirmed; active occurrences of one premises
                    never overlap (see below).
    split           "This and following" changes of a series end it before the chosen
                    occurrence; a new series (``split_from`` the old one, so linked to its
                    case and reference) holds the following times at the new time or premises
                    (:func:`~.services.split_series`).
    decision letter Approving or rejecting a request, and the city cancelling approved times
                    (an officer with reasons, or a blackout the administrator confirmed), are
                    decisions with a PDF letter and appeal instructions (:mod:`.letters`).

No double booking. The services check overlap before inserting (on SQLite every write
transaction begins with ``BEGIN IMMEDIATE``, so the check and the insert cannot interleave with
another writer); on PostgreSQL an exclusion constraint over active occurrences
(``btree_gist``, ``tstzrange``, migration 0009) refuses what slips through, and the service
turns its error into the same "Tiden är redan bokad" message.

Time. ``starts_at``/``ends_at`` are timezone-aware (UTC in the database); the booker's wall
clock (Europe/Stockholm) is kept by building every occurrence with
:func:`lokapp.core.time.local_datetime`, so a Tuesday 18:00 series stays 18:00 across the
daylight-saving changes. Lengths and prices use real elapsed time.
"""
