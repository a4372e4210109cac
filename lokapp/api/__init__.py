"""Read-only open data, ``/api/v1``: the public association register as JSON and CSV.

The same public fields, search and filters as the directory (``/foreningar``); documented for
users in README.md, "Öppna data". Every route is ``@public``, answers ``GET``/``HEAD`` with
``Access-Control-Allow-Origin: *``, and carries ``ETag`` and ``Last-Modified`` so clients can
ask again cheaply (``304 Not Modified``). Bad parameters give ``400`` with a JSON body whose
messages are in Swedish.
"""
