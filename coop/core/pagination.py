"""Paginating selects from the request's ``page`` argument, and links to other pages."""

from flask import current_app, request, url_for

from coop.extensions import db


def paginate(stmt, per_page: int | None = None, param: str = "page"):
    """A Flask-SQLAlchemy Pagination for ``stmt``; bad page numbers fall back to 1.

    ``param`` names the query-string argument, for pages with several lists.
    """
    page = request.args.get(param, 1, type=int) or 1
    return db.paginate(
        stmt,
        page=max(page, 1),
        per_page=per_page or current_app.config["PER_PAGE"],
        max_per_page=200,
        error_out=False,
    )


def page_url(number: int, param: str = "page", endpoint: str | None = None) -> str:
    """This page's URL showing page ``number`` of the list paged by ``param``.

    The query string is kept (every value), except what ``url_for`` would read as its own
    options (``_method``, ``_anchor``, ``_external``…: a 500 or a link elsewhere) or as
    the page's path arguments (``?cohort_id=`` must not move the links to another cohort).
    """
    path_args = request.view_args or {}
    args = {
        key: values
        for key, values in request.args.lists()
        if not key.startswith("_") and key not in path_args
    }
    args[param] = number
    return url_for(endpoint or request.endpoint, **path_args, **args)
