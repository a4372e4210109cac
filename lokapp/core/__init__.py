"""Domain-free building blocks shared by every lokapp module.

- ``access``      – every route declares who may use it (public, logged in, role, object rule).
- ``permissions`` – the registry behind the ``can(...)`` template helper.
- ``time``        – Europe/Stockholm wall-clock time, stored as UTC.
- ``types``       – column types: timezone-aware datetimes, string enums with label and tone.
- ``forms``       – the base form and validators every form uses (length limits, no control
  characters).
- ``cases``       – the case (ärende) with its gapless number ``LOK YYYY/NNNNN``.
- ``workflow``    – the transition-table engine: ``available()`` and ``apply()``.
- ``audit``       – the audit log of state changes and administrative changes.
- ``mail``        – the durable outbox; mail leaves only after the commit.
"""
