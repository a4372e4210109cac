"""Casework: the officers' one queue over every case type (``/handlaggning``), and what an
officer adds to any case.

:mod:`.registry` maps each case type to its staff area and the domain's own case page;
:mod:`.queries` builds the filtered list; :mod:`.services` assigns cases (with jäv);
:mod:`.views` is the blueprint (the list, bulk assignment, the Excel export).

Vocabulary of one case (:mod:`.models`):

intern anteckning (:class:`CaseNote`)
    A note for the officers of the case's area only. Never shown to the applicant or the
    association, never in a mail or a letter.
meddelande (:class:`CaseMessage`)
    A message between the officer and the applicant, part of the case file the applicant sees
    (partsinsyn); the applicant answers on their own page.
anmält jäv (:class:`CaseDisqualification`)
    An officer's own declaration that they are disqualified, with the reason. Besides the
    automatic jäv (linked to the association), it keeps the officer from being assigned to,
    handling or deciding the case.

Every officer case page includes ``templates/casework/_case_panel.html``, which reads
``casework_panel(case)``.
"""
