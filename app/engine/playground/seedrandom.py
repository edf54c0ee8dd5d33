"""``Math.seedrandom(seed)`` as TF Playground calls it: David Bau's ``seedrandom`` package,
default ARC4 generator, restated in Python draw for draw.

The seed string is mixed into a key (``mixkey``), the key schedules an RC4 state that
drops its first 256 bytes, and every draw takes six RC4 bytes (48 bits) and then more,
one byte at a time, until 52 significant bits are filled, exactly as ``prng()`` in
``seedrandom.js`` does with JavaScript doubles (which Python floats are).
"""

WIDTH = 256  # each RC4 output is a byte
CHUNKS = 6  # bytes that start every draw
MASK = WIDTH - 1
START_DENOM = float(WIDTH**CHUNKS)  # 2**48
SIGNIFICANCE = float(2**52)
OVERFLOW = SIGNIFICANCE * 2


def mix_key(seed: str) -> list[int]:
    """seedrandom's ``mixkey``: the key bytes from the seed's UTF-16 code units."""
    units = seed.encode("utf-16-le")
    codes = [units[k] | units[k + 1] << 8 for k in range(0, len(units), 2)]
    key: list[int] = []
    smear = 0  # JavaScript starts it undefined, and undefined ^ n is n
    for j, code in enumerate(codes):
        slot = MASK & j
        previous = key[slot] if slot < len(key) else 0  # undefined * 19 is NaN → 0 under ^
        smear ^= previous * 19
        value = MASK & (smear + code)
        if slot < len(key):
            key[slot] = value
        else:
            key.append(value)
    return key


class ARC4:
    """The RC4 keystream seedrandom uses, after dropping its first 256 bytes."""

    def __init__(self, key: list[int]):
        if not key:
            key = [0]  # seedrandom treats the empty key as [0]
        s = list(range(WIDTH))
        j = 0
        for i in range(WIDTH):
            t = s[i]
            j = MASK & (j + key[i % len(key)] + t)
            s[i], s[j] = s[j], t
        self.s, self.i, self.j = s, 0, 0
        self.next_bytes(WIDTH)  # RC4-drop[256]

    def next_bytes(self, count: int) -> int:
        """The next ``count`` bytes as one big-endian integer (seedrandom's ``g``)."""
        s, i, j, r = self.s, self.i, self.j, 0
        for _ in range(count):
            i = MASK & (i + 1)
            t = s[i]
            j = MASK & (j + t)
            s[i] = s[j]
            s[j] = t
            r = r * WIDTH + s[MASK & (s[i] + t)]
        self.i, self.j = i, j
        return r


class SeedRandom:
    """A seeded stand-in for ``Math.random``: call it for the next double in [0, 1)."""

    def __init__(self, seed: str):
        self.seed = seed
        self._arc4 = ARC4(mix_key(seed))

    def __call__(self) -> float:
        arc4 = self._arc4
        n = float(arc4.next_bytes(CHUNKS))  # numerator < 2**48
        d = START_DENOM
        x = 0
        while n < SIGNIFICANCE:  # fill all 52 significant bits, one byte at a time
            n = (n + x) * WIDTH
            d *= WIDTH
            x = arc4.next_bytes(1)
        while n >= OVERFLOW:  # shift right so that adding the last byte cannot round up
            n /= 2
            d /= 2
            x >>= 1
        return (n + x) / d

    def draws(self, count: int) -> list[float]:
        """The next ``count`` draws."""
        return [self() for _ in range(count)]
