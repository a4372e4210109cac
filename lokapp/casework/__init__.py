"""Casework: the officers' one queue over every case type (``/handlaggning``).

:mod:`.registry` maps each case type to its staff area and the domain's own case page;
:mod:`.queries` builds the filtered list; :mod:`.services` assigns cases (with jäv);
:mod:`.views` is the blueprint (the list, bulk assignment, the Excel export).
"""
