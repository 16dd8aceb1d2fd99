"""Puts the Windows reproduction (tests/support/windows.py) in place in an esp subprocess
whose environment has ESP_WINDOWS_REPRODUCTION=1 and this folder on PYTHONPATH."""

import os

if os.environ.get("ESP_WINDOWS_REPRODUCTION") == "1":
    from tests.support import windows

    windows.install(setattr)
    windows.hide_fcntl(lambda mapping, key, value: mapping.__setitem__(key, value))
