"""The Python port of ``seedrandom`` (ARC4, as TF Playground seeds Math.random) against the
real npm package: its first 10,000 draws per seed, from the checked-in fixture (made in
Chromium) always, and live from Node when Node and the package are at hand
(``SEEDRANDOM_DIR`` = a folder whose node_modules holds seedrandom)."""

import base64
import json
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from app.engine.playground.seedrandom import SeedRandom, mix_key

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "playground"
DRAWS = json.loads((FIXTURES / "seedrandom_draws.json").read_text())


def _fixture_draws(seed: str) -> list[float]:
    raw = base64.b64decode(DRAWS["draws"][seed]["float64_le_base64"])
    return list(struct.unpack(f"<{len(raw) // 8}d", raw))


def test_fixture_holds_ten_thousand_draws_for_each_seed():
    assert DRAWS["count"] == 10_000
    assert {"0.12345", "abc", "1", "0.98765", ""} <= set(DRAWS["draws"])
    for seed, entry in DRAWS["draws"].items():
        values = _fixture_draws(seed)
        assert len(values) == 10_000
        assert values[:5] == entry["first"]
        assert all(0.0 <= v < 1.0 for v in values)


@pytest.mark.parametrize("seed", sorted(DRAWS["draws"]))
def test_port_matches_the_npm_package_draw_for_draw(seed):
    expected = _fixture_draws(seed)
    got = SeedRandom(seed).draws(len(expected))
    mismatches = [k for k, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b]
    assert mismatches == [], f"seed {seed!r}: first mismatch at draw {mismatches[:1]}"


def test_published_example():
    # seedrandom's README: Math.seedrandom('hello.') then Math.random() → 0.9282578795792454
    assert SeedRandom("hello.")() == 0.9282578795792454


def test_mix_key_uses_utf16_code_units_and_wraps_at_256():
    assert mix_key("") == []
    assert mix_key("a") == [97]
    assert mix_key("ab") == [97, 98]  # the smear only mixes once the key wraps
    wrapped = mix_key("a" * 256 + "b")
    assert len(wrapped) == 256
    assert wrapped[0] == ((97 * 19) + 98) & 255  # 0 ^ (97·19), plus "b"
    assert len(mix_key("😀")) == 2  # one character, two UTF-16 code units


NODE_SCRIPT = """
const { createRequire } = require("node:module");
const r = createRequire(process.cwd() + "/noop.js");
const seedrandom = r("seedrandom");
const [seeds, count] = JSON.parse(process.argv[1]);
const out = {};
for (const s of seeds) {
  Math.seedrandom = seedrandom; Math.seedrandom(s);
  const v = new Float64Array(count);
  for (let k = 0; k < count; k++) v[k] = Math.random();
  out[s] = Buffer.from(v.buffer).toString("base64");
}
console.log(JSON.stringify({ version: r("seedrandom/package.json").version, out }));
"""


def _node_dir() -> str | None:
    folder = os.environ.get("SEEDRANDOM_DIR")
    if shutil.which("node") is None or not folder:
        return None
    return folder if (Path(folder) / "node_modules" / "seedrandom").is_dir() else None


@pytest.mark.skipif(_node_dir() is None, reason="Node and the seedrandom package not at hand")
def test_port_matches_live_node():
    seeds = ["0.12345", "abc", "1", "0.98765", "", "0.31416", "种子 seed"]
    done = subprocess.run(
        ["node", "-e", NODE_SCRIPT, json.dumps([seeds, 10_000])],
        cwd=_node_dir(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(done.stdout)
    for seed in seeds:
        raw = base64.b64decode(answer["out"][seed])
        expected = list(struct.unpack(f"<{len(raw) // 8}d", raw))
        assert SeedRandom(seed).draws(10_000) == expected, (answer["version"], seed)
