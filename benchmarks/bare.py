"""The bare app beside coop in ``make bench``: Flask, Flask-SQLAlchemy and Jinja, nothing
else. ``/hello`` answers a string; ``/page`` renders 50 ORM rows in a small layout.
``BARE_DATABASE_URL`` names its database (its one table is ``bare_items``)."""

import os
from datetime import date, timedelta

from flask import Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy.orm import Mapped, mapped_column

LAYOUT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{% block title
%}{% endblock %}</title></head><body><nav><a href="/hello">Hello</a> <a href="/page">Page</a>
</nav><main>{% block main %}{% endblock %}</main></body></html>"""
PAGE = """{% extends "layout.html" %}{% block title %}Items{% endblock %}{% block main %}
<h1>Items</h1><table><tr><th>#</th><th>Name</th><th>City</th><th>Starts</th></tr>
{% for i in items %}<tr><td>{{ i.id }}</td><td><a href="/page?id={{ i.id }}">{{ i.name }}</a>
</td><td>{{ i.city }}</td><td>{{ i.starts.isoformat() }}</td></tr>{% endfor %}</table>
{% endblock %}"""

app = Flask(__name__)
app.jinja_loader = DictLoader({"layout.html": LAYOUT, "page.html": PAGE})
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("BARE_DATABASE_URL", "sqlite://")
db = SQLAlchemy(app)


class Item(db.Model):
    __tablename__ = "bare_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(db.String(80), index=True)
    city: Mapped[str] = mapped_column(db.String(80))
    starts: Mapped[date]


@app.get("/hello")
def hello():
    return "Hello"


@app.get("/page")
def page():
    items = db.session.scalars(db.select(Item).order_by(Item.name).limit(50)).all()
    return render_template("page.html", items=items)


def seed(rows: int = 1000) -> None:
    """Create the table and ``rows`` items (once)."""
    with app.app_context():
        db.create_all()
        if not db.session.scalar(db.select(db.func.count(Item.id))):
            start = date(2026, 1, 5)
            db.session.execute(
                db.insert(Item),
                [
                    {"name": f"Item {i:05d}", "city": "New York", "starts": start + timedelta(i)}
                    for i in range(rows)
                ],
            )
            db.session.commit()
