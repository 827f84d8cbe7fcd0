"""The Discord command JSON is derived from the registry, and parsed back the same way."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from adventorator.commands import COMMANDS, option_meta
from adventorator.discord_webhook import (
    OptionCoercer,
    application_commands,
    describe,
    parse_command,
)
from adventorator.errors import InputError

TYPES = {"str": 3, "int": 4, "bool": 5, "float": 10}


def _by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in items}


def test_every_registry_command_is_registered_with_its_discord_options() -> None:
    commands = _by_name(application_commands())
    assert list(commands) == [
        "roll",
        "check",
        "attack",
        "damage",
        "heal",
        "hp",
        "save",
        "stabilize",
        "condition",
        "concentration",
        "history",
        "undo",
        "transcript",  # transcript export sits with history; transcript show joins it
        "campaign",
        "init",
        "monster",
        "sheet",
        "character",
        "do",
        "act",
        "scene",
    ]
    for spec in COMMANDS:
        node = commands[spec.path[0]]
        if len(spec.path) == 2:
            node = _by_name(node["options"])[spec.path[1]]
            assert node["type"] == 1  # SUB_COMMAND
        wanted = [f for f in spec.fields() if option_meta(f).discord]
        options = _by_name(node["options"])
        attachment = {"file"} if spec.name == "sheet import" else set()  # type 11: the webhook
        assert set(options) == {f.name for f in wanted} | attachment, spec.name
        for item in wanted:
            option = options[item.name]
            type_name = str(item.type).replace(" | None", "")
            assert option["type"] == TYPES[type_name], (spec.name, item.name)
            assert option["required"] == (item.default is dataclasses.MISSING)
            assert option.get("autocomplete", False) == option_meta(item).autocomplete


def test_shapes_and_limits() -> None:
    commands = _by_name(application_commands())
    roll = _by_name(commands["roll"]["options"])
    assert list(roll) == ["expr", "advantage", "disadvantage"]  # no --times, no --stats
    assert roll["expr"] == {
        "type": 3,
        "name": "expr",
        "description": "Dice expression, e.g. 2d20kh1+5 or 4d6kh3.",
        "required": True,
    }
    check = _by_name(commands["check"]["options"])
    assert list(check) == [
        "ability", "skill", "save", "dc", "advantage", "disadvantage", "bonus", "character", "odds"
    ]  # fmt: skip
    assert (check["dc"]["min_value"], check["dc"]["max_value"]) == (1, 40)
    assert check["character"]["autocomplete"] is True
    assert "choose" not in _by_name(commands["act"]["options"])
    sheet = _by_name(commands["sheet"]["options"])
    assert "file" not in _by_name(sheet["create"]["options"])
    switch = _by_name(_by_name(commands["character"]["options"])["switch"]["options"])
    assert switch["name"]["required"] is True

    def walk(items: list[dict[str, Any]]) -> None:
        required_done = False
        for item in items:
            assert 1 <= len(item["name"]) <= 32
            assert item["name"] == item["name"].lower()
            assert 1 <= len(item["description"]) <= 100
            if item.get("type", 1) > 2:
                assert not (required_done and item["required"]), "required options come first"
                required_done = required_done or not item["required"]
            walk(item.get("options", []))

    walk(list(commands.values()))


def test_description_drops_cli_examples_and_fits() -> None:
    assert describe("Roll dice: `adv roll 2d20kh1+5`.") == "Roll dice"
    long = describe("word " * 40)
    assert len(long) == 100
    assert long.endswith("…")


def test_options_are_parsed_through_subcommands_and_coerced() -> None:
    data = {
        "name": "sheet",
        "options": [
            {"name": "show", "type": 1, "options": [{"name": "name", "type": 3, "value": "Wren"}]}
        ],
    }
    call = parse_command(data)
    assert call.spec.name == "sheet show"
    assert call.args == {"name": "Wren"}
    options = OptionCoercer().coerce(call.spec, call.args)
    assert options.name == "Wren"
    check = parse_command({"name": "check", "options": [{"name": "dc", "type": 4, "value": 12}]})
    assert OptionCoercer().coerce(check.spec, check.args).dc == 12
    with pytest.raises(InputError, match="has no option 'times'"):
        parse_command({"name": "roll", "options": [{"name": "times", "value": 2}]})
    roll = parse_command({"name": "roll", "options": []})
    with pytest.raises(InputError, match="invalid options for /roll: expr"):
        OptionCoercer().coerce(roll.spec, roll.args)
