"""Paginating selects from the request's ``page`` argument."""

from flask import current_app, request

from coop.extensions import db


def paginate(stmt, per_page: int | None = None):
    """A Flask-SQLAlchemy Pagination for ``stmt``; bad page numbers fall back to 1."""
    page = request.args.get("page", 1, type=int) or 1
    return db.paginate(
        stmt,
        page=max(page, 1),
        per_page=per_page or current_app.config["PER_PAGE"],
        max_per_page=200,
        error_out=False,
    )
