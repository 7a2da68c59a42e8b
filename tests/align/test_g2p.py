"""espeak-ng pronunciations mapped to ARPAbet for words the dictionary lacks."""

from crosspair.align.g2p import default_g2p, espeak_to_arpabet


def test_mnemonics_map_to_arpabet():
    assert espeak_to_arpabet("h @ l 'oU") == ["HH", "AH", "L", "OW"]
    assert espeak_to_arpabet("tS '3: tS") == ["CH", "ER", "CH"]


def test_unknown_words_get_pronunciations():
    g2p = default_g2p()
    assert g2p.pronounce("aligner") == ["AH", "L", "AY", "N", "ER"]
    assert g2p.pronounce("crosspair")[:3] == ["K", "R", "AO"]
