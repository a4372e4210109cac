"""Grants (bidrag): programmes, applications, decisions and the public record of grants.

Vocabulary
    programme     A bidragsform (``GrantProgramme``): who may apply, when (a window with open
                  and close dates, or rolling), how much (a yearly budget pot and a maximum
                  per application), what the application asks (typed questions, a budget
                  table, required attachments), the delegation limit, the appeal variant of
                  its decision letters, and whether a follow-up report (redovisning) is due.
                  A programme without money ("stöd vid ansökan om externa projektmedel") is a
                  help request: it is answered by an officer, nothing is granted.
    pot           ``GrantBudget``: the programme's money for one year and how much of it
                  final decisions have committed. A decision locks its row (``FOR UPDATE``
                  on PostgreSQL; SQLite serialises writers with ``BEGIN IMMEDIATE``), so two
                  officers deciding at once cannot commit more than the pot.
    application   ``GrantApplication``: one association's application to one programme,
                  linked one-to-one to a case (``lokapp.core.cases``) of type
                  ``grant_application`` (graph in :mod:`.workflow`). A draft is saved on the
                  server at every step of the form; submit gives it a number.
    requested     With a budget table: costs − income − own contribution; with a formula
                  (:mod:`.formulas`) it follows from data – aktivitetsstöd: participant-
                  occasions × rate (+ an amount per occasion) for occasions with at least
                  the minimum group in the age range; lokalbidrag: a share of the rent of
                  premises not rented from the city; both capped at the maximum amount –
                  otherwise the amount the association types. Whole kronor (no öre).
    decision      approve, approve in part (with an amount) or reject; reasons are mandatory
                  for partial approval and rejection (förvaltningslagen 32 §). Above the
                  deciding officer's delegation (the lower of the officer's and the
                  programme's limit) the decision becomes a *proposal* that a second officer
                  with a high enough limit confirms or returns (four-eyes).
    jäv           An officer linked to the association (``AssociationMember``) may not handle
                  or decide its applications.
    snapshot      What the equal-treatment report needs, captured at submission: category,
                  districts, member counts and target groups of the association as they were;
                  where the programme asks, the expected participants too.
    participants  Expected participants of an application (``asks_participants``), counts per
                  age band and gender of the register, never persons (:mod:`.participants`;
                  the grid is shared with the follow-up report's).
    redovisning   The follow-up report (``GrantFollowUp``, :mod:`.follow_up`): due
                  ``follow_up_days`` after a granted decision when the programme asks for it;
                  what was done, participants by age band and gender (counts), actual costs
                  and income, files. The officer accepts it, asks for completion, or decides
    återkrav      recovery: the association pays back up to the granted amount, with reasons
                  and a decision letter (``grant_recovery``); unexported payouts are stopped.
"""
