"""Whether text can be stored: UTF-8 holds no lone surrogate (a JSON ``"\\ud800"`` escape, or a
file name the OS gave as undecodable bytes), so no file or table can hold such text."""


def is_storable(text: str) -> bool:
    """False when ``text`` holds a lone surrogate."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
