"""docs/cli.md is generated from the commands; this fails when it is stale (run `cog -r`)."""

from __future__ import annotations

from pathlib import Path

from cogapp import Cog

from joinedup.cli.reference import markdown

CLI_MD = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_the_command_reference_is_what_the_commands_say() -> None:
    assert Cog().main(["cog", "--check", str(CLI_MD)]) == 0, (
        "docs/cli.md is stale: run `.venv/bin/cog -r docs/cli.md`"
    )


def test_the_reference_has_every_option_of_run() -> None:
    text = markdown()
    section = text.split("## `joinedup run`")[1].split("## ")[0]
    for option in ("--db", "--out", "--ambition-detect", "--ambition-treat", "--ambition",
                   "--willing", "--publish"):
        assert f"`{option}`" in section
