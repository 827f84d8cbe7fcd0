"""`adv sheet import URL`: a D&D Beyond URL given as the positional source fetches like --url.

The loopback character service is test_import_url's (``ADVENTORATOR_DDB_CHARACTER_URL``).
"""

from __future__ import annotations

from tests.characters import test_import_url
from tests.characters.support import Cli
from tests.characters.test_import_ddb import halfling_rogue
from tests.characters.test_import_url import PIP, PREFIX, FakeCharacterService

ddb = test_import_url.ddb  # the same fixture: a stdlib server on 127.0.0.1


def test_a_positional_ddb_url_is_fetched_from_the_character_service(
    cli: Cli, ddb: FakeCharacterService
) -> None:
    ddb.answer("12345678", halfling_rogue())
    dry = cli.json("sheet", "import", PIP, "--dry-run")
    assert (dry["format"], dry["written"]) == ("ddb", False)
    assert cli.rows() == []
    result = cli("sheet", "import", PIP + "/pip-underbough")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Imported Pip Underbough from D&D Beyond."), result.stdout
    assert ddb.paths == [PREFIX + "12345678"] * 2  # nothing was read as a file
    (row,) = cli.rows()
    assert (row["name"], row["sheet"]["level"]) == ("Pip Underbough", 11)
