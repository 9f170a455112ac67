"""What a person does on Qinglian's pages, as Playwright steps (shared by the browser tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import PASSWORDS


class Person:
    """One signed-in person in their own browser context (own cookies), with console errors kept."""

    def __init__(
        self,
        chromium: Any,
        base_url: str,
        username: str,
        artifacts: Path,
        width: int = 1280,
        height: int = 900,
    ):
        self.context = chromium.new_context(
            base_url=base_url, viewport={"width": width, "height": height}, locale="zh-CN"
        )
        self.page = self.context.new_page()
        self.username = username
        self.artifacts = artifacts
        self.console_errors: list[str] = []
        self.page.on("console", self._console)
        self.page.goto("/login")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(PASSWORDS[username])
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_url("**/")

    def _console(self, message: Any) -> None:
        # A form refused with field errors is answered 400 on purpose; Chromium logs that as an error.
        if message.type == "error" and "400 (BAD REQUEST)" not in message.text:
            self.console_errors.append(message.text)

    def scrolls_sideways(self) -> bool:
        """Is the page wider than the window (a phone reader would have to scroll it sideways)?"""
        return bool(self.page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth"))

    def open_task(self, title: str) -> None:
        self.page.goto("/")
        self.page.get_by_role("link", name=title, exact=True).first.click()
        self.page.get_by_role("heading", name=title).wait_for()

    def open_step(self, bpmn_id: str) -> None:
        """Open my task of that step from the inbox, as a person clicks it."""
        self.page.goto("/")
        self.page.locator(f"a[data-task={bpmn_id}]").first.click()
        self.page.locator("form.task-form").wait_for()

    def open_start(self, link_name: str) -> None:
        """Click the inbox's link that starts a procedure and wait for its start form."""
        self.page.get_by_role("link", name=link_name).click()
        self.page.wait_for_url("**/start")
        self.page.locator("form.task-form").wait_for()

    def fill_form(self, data: dict[str, Any]) -> None:
        """Type the values into the form's fields, by field name, with the control each field has.

        A list of dicts is a table field: row i's cells are named `<field>-<i>-<sub>`; rows the page
        does not show yet are added with its "添加一行" button. A list of scalars is a set of checkboxes
        (or a multiple select; `[]` unticks them all), or typed into a list field's one text input joined
        by 、; a list of paths fills a multiple file input.
        """
        form = self.page.locator("form.task-form")
        for name, value in data.items():
            if isinstance(value, list) and value and all(isinstance(row, dict) for row in value):
                self.fill_table(name, value)
            else:
                self._fill_control(form, name, value)

    def fill_table(self, name: str, rows: list[dict[str, Any]]) -> None:
        """Fill the table field `name` row by row, adding rows as needed; extra rows shown are left empty."""
        form = self.page.locator("form.task-form")
        for index, row in enumerate(rows):
            while form.locator(f"[name^='{name}-{index}-']").count() == 0:
                form.locator(f"[data-add-row={name}]").click()
            for sub, value in row.items():
                self._fill_control(form, f"{name}-{index}-{sub}", value)

    def table_cell(self, name: str, row: int, sub: str) -> Any:
        """The control of one table cell (e.g. to read back the value a refused post kept)."""
        return self.page.locator(f"form.task-form [name='{name}-{row}-{sub}']").first

    def _fill_control(self, form: Any, name: str, value: Any) -> None:
        if isinstance(value, bool):
            form.locator(f"input[name='{name}'][value={'true' if value else 'false'}]").check()
            return
        control = form.locator(f"[name='{name}']").first
        if control.count() == 0:
            raise AssertionError(f"the page has no control for field {name!r}")
        kind = control.evaluate("e => e.tagName + ':' + (e.type || '')")
        if kind == "INPUT:file":
            control.set_input_files([str(v) for v in value] if isinstance(value, list) else str(value))
        elif isinstance(value, list):
            self._fill_list(form, control, kind, name, [str(v) for v in value])
        elif kind == "INPUT:radio":
            form.locator(f"input[name='{name}'][value='{value}']").check()
        elif kind.startswith("SELECT"):
            control.select_option(str(value))
        else:
            control.fill(str(value))
        if control.get_attribute("data-people") is not None:
            control.blur()  # the person leaves the field: its offer of people (if any) closes

    def _fill_list(self, form: Any, control: Any, kind: str, name: str, wanted: list[str]) -> None:
        if kind == "INPUT:text":  # a list of plain strings (e.g. usernames): one input, 、 between
            control.fill("、".join(wanted))
        elif kind.startswith("SELECT"):
            control.select_option(wanted)
        else:
            boxes = form.locator(f"input[name='{name}'][type=checkbox]").all()
            missing = set(wanted) - {box.get_attribute("value") for box in boxes}
            if missing:
                raise AssertionError(f"field {name!r} has no checkbox for {sorted(missing)}")
            for box in boxes:
                box.set_checked(box.get_attribute("value") in wanted)

    def do_step(self, bpmn_id: str, data: dict[str, Any]) -> None:
        """Open the step, fill its form, submit, and land back on the inbox with a confirmation."""
        self.open_step(bpmn_id)
        self.fill_form(data)
        self.submit()
        assert self.page.locator(".flash.success").count() == 1, self.page.locator(".error").all_inner_texts()

    def submit(self) -> None:
        self.page.locator("form.task-form button[type=submit]").click()
        self.page.wait_for_load_state()

    def choose(self, label: str) -> None:
        self.page.get_by_label(label, exact=True).check()

    def fill(self, label: str, value: str) -> None:
        self.page.get_by_label(label, exact=True).fill(value)

    def select(self, label: str, option: str) -> None:
        self.page.get_by_label(label, exact=True).select_option(label=option)

    def blur(self) -> None:
        """Leave the field being typed in (no focus ring or open picker in a screenshot)."""
        self.page.evaluate("() => document.activeElement && document.activeElement.blur()")

    def shot(self, name: str) -> Path:
        """A full-page screenshot; wide tables scrolled back to their first column (filling a far cell
        scrolls its table sideways)."""
        self.page.evaluate(
            "() => document.querySelectorAll('.table-scroll').forEach(e => { e.scrollLeft = 0; })"
        )
        path = self.artifacts / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()
