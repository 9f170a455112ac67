"""Sign in and out (Flask-Login sessions), language switch, and the `g.actor` of each request."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from engine import Actor

from .context import engine_of, local_path

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


class SessionUser(UserMixin):
    """Flask-Login's view of an Actor."""

    def __init__(self, actor: Actor):
        self.actor = actor
        self.id = str(actor.id)


SIGN_IN = "sign_in"  # the session key holding the sign-in token (engine/sign_ins.py)


@login_manager.user_loader
def _load(user_id: str) -> SessionUser | None:
    """The signed-in person, only while the server still holds the session open (not logged out,
    not idle too long, password unchanged, account enabled): a saved cookie alone signs nobody in."""
    actor = engine_of().sign_ins.actor_of(session.get(SIGN_IN))
    return SessionUser(actor) if actor and str(actor.id) == user_id else None


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(), Length(max=256)])


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"

    @app.before_request
    def _actor() -> None:
        g.actor = current_user.actor if current_user.is_authenticated else None


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if form.validate_on_submit():
        actor = engine_of().authenticate(
            form.username.data or "", form.password.data or "", request.remote_addr or ""
        )
        if actor is not None:
            lang = session.get("lang")
            session.clear()  # a fresh session on sign-in, in the language chosen on the login page
            if lang:
                session["lang"] = lang
            session[SIGN_IN] = engine_of().sign_ins.open(actor)
            login_user(SessionUser(actor))
            return redirect(_safe_next(request.args.get("next")))
        flash(_("用户名或密码错误"), "error")
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 401


def _safe_next(target: str | None) -> str:
    return local_path(target) or url_for("tasks.inbox")


@bp.post("/logout")
@login_required
def logout() -> Any:
    lang = session.get("lang")
    engine_of().sign_ins.close(session.get(SIGN_IN))
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.post("/lang/<code>")
def set_language(code: str) -> Any:
    if code in ("zh", "en"):
        session["lang"] = code
    return redirect(_safe_next(request.form.get("next")))
