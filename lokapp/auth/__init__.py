"""Accounts, roles and signing in.

Vocabulary:

- A **user** is a person with an account: a resident (invånare) by default.
- **Global roles** are held by city staff: case officer (handläggare), supervisor, LÖK coordinator
  (samordnare) and administrator. Staff carry **areas** (register, grants, bookings, events,
  dialog) and a **delegation limit** in SEK: the largest amount they may decide alone.
- **Association roles** link a person to an association (ordförande, kassör, kontaktperson,
  bokningsansvarig, bidragsansvarig, administrator); the **firmatecknare** flag marks an
  authorised signatory. One person may represent several associations.
"""
