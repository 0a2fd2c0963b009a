"""The ``fieldinspect`` command run in-process against a database of the test's own."""

from __future__ import annotations

from click.testing import CliRunner

from server.cli import main


def run(args, url, tmp_path):
    result = CliRunner().invoke(main, args, env={
        "FIELDINSPECT_DATABASE_URL": url, "FIELDINSPECT_VAR_DIR": str(tmp_path / "var")},
        catch_exceptions=False)
    return result
