"""Fakes for real-component tests: servers on loopback and a network guard.

Use them as pytest plugins from the root conftest::

    pytest_plugins = ["tests.fakes.openai_server", "tests.fakes.network_guard"]
"""
