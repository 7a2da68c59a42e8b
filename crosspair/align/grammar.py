"""The word graph pocketsphinx aligns against: the transcript in order, hesitations optional.

``Decoder.set_align_text`` builds a strict chain in which every word must take at least three
frames per phone somewhere. A transcribed "um" or "uh" is often barely voiced, and the chain
then steals those frames from a neighbour; here each hesitation can be skipped at a cost
(``SKIP_PROB``), so it is skipped only where forcing it in costs the path more. Optional
silences, the noise fillers and alternate pronunciations are added by the search itself, as
for any grammar.

Hesitations also get a second pronunciation, the model's speech-noise phone ``+SPN+``: a phone
loop over the hoarse "um"s of the MFA test recordings hears ``+SPN+`` there, not ``AH M``, and
forcing ``AH M`` squeezed each into a few frames while the next word took its place.
"""

from __future__ import annotations

HESITATIONS = frozenset(
    {"ah", "eh", "er", "erm", "hm", "hmm", "mm", "mhm", "uh", "uhh", "uhm", "um", "umm"}
)
SPEECH_NOISE = "+SPN+"
NOISE_WORD = "[NOISE]"  # the model's noise filler, which stands for a transcript noise marker
SKIP_PROB = 0.05  # prior that a transcribed hesitation is not audible at all
SEARCH_NAME = "crosspair_align"


def is_optional(token: str) -> bool:
    """True for decoder tokens the audio may lack: hesitations.

    Noise markers stay in the chain: their filler takes three frames, which fit in a pause.
    """
    return token in HESITATIONS


def add_speech_noise_variant(decoder, word: str) -> None:
    """Give hesitation ``word`` the pronunciation ``+SPN+`` too (once per decoder)."""
    variant = 2
    while (phones := decoder.lookup_word(f"{word}({variant})")) is not None:
        if phones == SPEECH_NOISE:
            return
        variant += 1
    decoder.add_word(f"{word}({variant})", SPEECH_NOISE, True)


def activate_grammar(decoder, tokens: list[str], optional: list[bool]) -> None:
    """Make ``decoder`` search ``tokens`` in order, each ``optional`` one skippable."""
    from pocketsphinx import FsgModel

    logmath = decoder.get_logmath()
    lw = float(decoder.config["lw"])

    def cost(prob: float) -> int:
        return int(logmath.log(prob) * lw) if prob < 1 else 0

    fsg = FsgModel(SEARCH_NAME, logmath, lw, len(tokens) + 1)
    for state, (token, skippable) in enumerate(zip(tokens, optional, strict=True)):
        word = fsg.word_add(token)
        fsg.trans_add(state, state + 1, cost(1 - SKIP_PROB if skippable else 1.0), word)
    # the search follows one null transition per frame, so a run of optional tokens
    # gets one skip from each of its states to every later state of the run
    for first in range(len(tokens)):
        last = first
        while last < len(tokens) and optional[last]:
            last += 1
            fsg.null_trans_add(first, last, cost(SKIP_PROB ** (last - first)))
    fsg.set_start_state(0)
    fsg.set_final_state(len(tokens))
    decoder.add_fsg(SEARCH_NAME, fsg)
    decoder.activate_search(SEARCH_NAME)
