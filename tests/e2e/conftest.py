"""The headless Chromium every portal test drives (the suite itself: :mod:`pusip_kit.testing.suite`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from pusip_kit.testing.suite import CHROMIUM, CHROMIUM_ARGS, require_chromium


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()
