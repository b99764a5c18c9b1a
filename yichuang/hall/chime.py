"""The display's chime: two soft tones, made with the standard library and vendored as a WAV.

Regenerate with `python -m yichuang.hall.chime` (the file is byte-for-byte reproducible).
"""

import io
import math
import struct
import wave
from pathlib import Path

RATE = 22050
# A falling major third (E5 to C5), each tone with a quick rise and a long exponential fade:
# noticeable in a quiet hall, never a buzzer.
TONES = ((659.25, 0.0), (523.25, 0.32))
LENGTH_SECONDS = 1.4
VOLUME = 0.28
PATH = Path(__file__).resolve().parent / "static" / "hall" / "chime.wav"


def chime_wav() -> bytes:
    frames = bytearray()
    total = int(RATE * LENGTH_SECONDS)
    for n in range(total):
        t = n / RATE
        sample = 0.0
        for frequency, start in TONES:
            local = t - start
            if local < 0:
                continue
            attack = min(1.0, local / 0.012)
            decay = math.exp(-local * 3.2)
            # A little of the octave makes it sound like a bell rather than a test tone.
            sample += attack * decay * (math.sin(2 * math.pi * frequency * local)
                                        + 0.25 * math.sin(4 * math.pi * frequency * local))
        fade_out = min(1.0, (total - n) / (RATE * 0.05))
        value = max(-1.0, min(1.0, sample * VOLUME * fade_out))
        frames += struct.pack("<h", int(value * 32767))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


if __name__ == "__main__":
    PATH.write_bytes(chime_wav())
    print(f"wrote {PATH} ({PATH.stat().st_size} bytes)")
