"""Every extension, created unbound; ``create_app`` binds them."""

import re

import sqlalchemy as sa
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from coop.core.mail import Mail
from coop.db import Base

#: ``hide_parameters``: an error's text (and so a traceback in the log) shows the SQL but
#: never its parameters, which hold applicants' emails and phone numbers. A default for
#: every engine, whatever SQLALCHEMY_ENGINE_OPTIONS a config or test passes.
db = SQLAlchemy(model_class=Base, engine_options={"hide_parameters": True})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
mail = Mail()

_DETAIL = re.compile(r"^DETAIL:.*$", re.MULTILINE)


@sa.event.listens_for(sa.engine.Engine, "handle_error")
def hide_row_values(context) -> None:
    """PostgreSQL's DETAIL line repeats the failing row's values ("Key (email)=(…) already
    exists", "Failing row contains (…)"): drop them from the error's text, as
    ``hide_parameters`` drops the statement's. The first line still names the constraint,
    and ``error.diag`` keeps the detail for code that needs it."""
    for error in (context.original_exception, context.sqlalchemy_exception):
        message = error.args[0] if error is not None and error.args else None
        if isinstance(message, str) and "DETAIL:" in message:
            error.args = (_DETAIL.sub("DETAIL:  (values hidden)", message), *error.args[1:])
