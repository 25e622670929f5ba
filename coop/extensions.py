"""Every extension, created unbound; ``create_app`` binds them."""

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
