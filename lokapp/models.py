"""Imports every model module so the metadata (and Alembic) sees the whole schema."""
from lokapp.agreement import models as agreement_models  # noqa: F401
from lokapp.associations import models as association_models  # noqa: F401
from lokapp.associations import search as association_search  # noqa: F401 - search ORM events
from lokapp.auth import models as auth_models  # noqa: F401
from lokapp.bookings import models as booking_models  # noqa: F401
from lokapp.bookings import season_models  # noqa: F401
from lokapp.casework import models as casework_models  # noqa: F401
from lokapp.core import (  # noqa: F401
    audit,
    mail,
    uploads,  # noqa: F401
)
from lokapp.core import cases as core_cases  # noqa: F401
from lokapp.core import completions as core_completions  # noqa: F401
from lokapp.grants import follow_up_models as grant_follow_up_models  # noqa: F401
from lokapp.grants import models as grant_models  # noqa: F401
from lokapp.letters import models as letter_models  # noqa: F401
