"""The association register (föreningsregister).

Vocabulary:

- **Association** (förening): a non-profit organisation identified by its organisationsnummer
  (validated with python-stdnum ``se.orgnr``); a network without one may register too.
- **Register state** – the lifecycle of the entry: ``pending`` (a registration case is open),
  ``registered``, ``rejected``, ``deregistered`` (avregistrerad).
- **Status** – what the association may do now, computed by one function
  (:func:`lokapp.associations.status.compute_status`): registrerad, bidragsberättigad (registered
  + signed the current LÖK + approved annual update for the year + the required documents),
  spärrad (annual update overdue past the grace period), avregistrerad.
- **Annual update** (årlig uppdatering): after the annual meeting the association confirms its
  data, reports member counts by age band and gender (counts only – never members' personal
  data) and uploads the year's documents; an officer approves it.
- **Categories, districts, target groups**: configurable lists (seeded with Västerås'
  stadsdelar and the city's categories).
"""
