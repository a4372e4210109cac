"""The LÖK: Västerås lokala överenskommelse mellan staden och civilsamhället.

Vocabulary:

- **Version** (:class:`~lokapp.agreement.models.AgreementVersion`): one text of the agreement
  for a period (``"2018–2024"``), with the SHA-256 of its body. A version is a *draft* until a
  coordinator publishes it; a published version never changes. It is *current* from its
  ``effective_from`` date (Stockholm time) until a later published version takes effect; before
  that date it is *upcoming*, afterwards *superseded*. The 2018–2024 text is seeded by migration
  0004 from ``texts/lok_2018_2024.txt``.
- **Signature** (:class:`~lokapp.agreement.models.AgreementSignature`): an association's signing
  of one version. Any representative of the association may *prepare* it (it then waits for a
  firmatecknare); only a firmatecknare (``AssociationMember.is_signatory``) *signs*, recording
  who, when, from which address and the version's checksum at that moment. An association may
  *withdraw* its signature; the row stays, marked withdrawn, in the history.
- **Standing**: *signed the current version*, *signed an earlier version* (asked to sign again
  when a new version becomes current) or *not signed* (:func:`lokapp.agreement.queries.standing`).
- **Layout** (:mod:`lokapp.agreement.layout`): the plain text is turned into headings,
  paragraphs, lists and footnotes for the public page and its table of contents.

Public helpers for other domains live in :mod:`lokapp.agreement.queries` (``current_version``,
``signed_current_select``, ``has_signed_current``); use cases in
:mod:`lokapp.agreement.services` (``publish``, ``prepare``, ``sign``, ``withdraw`` …).
"""
