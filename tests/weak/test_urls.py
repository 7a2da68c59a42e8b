"""Image URLs of saved pages, resolved against the page, the root, the site URL or rejected."""

import pytest

from crosspair.weak.urls import locate_image, shown, srcset_urls

BLOG = "https://example.org/blog/"


@pytest.fixture
def root(tmp_path):
    site = tmp_path / "site"
    for rel in ("img/a.jpg", "pages/b.png", "img/two words.jpg", "img/c.jpg"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(b"x")
    (tmp_path / "outside.jpg").write_bytes(b"x")
    (site / "img" / "out.jpg").symlink_to(tmp_path / "outside.jpg")
    (site / "img" / "in.jpg").symlink_to(site / "img" / "a.jpg")
    return site


@pytest.mark.parametrize(
    "src, rel",
    [
        ("../img/a.jpg", "img/a.jpg"),  # relative to the page's folder
        ("b.png", "pages/b.png"),
        ("./b.png?v=3#top", "pages/b.png"),  # query and fragment are not part of the file
        ("/img/a.jpg", "img/a.jpg"),  # site root = source root
        ("  /img/a.jpg\n", "img/a.jpg"),  # HTML strips the spaces around a URL
        ("../img/two%20words.jpg", "img/two words.jpg"),  # percent-decoded
        ("https://example.org/blog/img/c.jpg", "img/c.jpg"),  # under site_url
        ("http://EXAMPLE.org/blog/img/c.jpg", "img/c.jpg"),  # http or https, any case host
        ("//example.org/blog/img/c.jpg", "img/c.jpg"),  # scheme-relative
        ("../img/in.jpg", "img/in.jpg"),  # a symlink inside the root is fine
    ],
)
def test_local_images_resolve(root, src, rel):
    found = locate_image(src, "pages/index.html", root, "https://example.org/blog/")
    assert (found.rel, found.abs_path, found.reason) == (rel, str(root / rel), "")


def test_file_urls_inside_the_root_resolve(root):
    found = locate_image(f"file://{root}/img/a.jpg", "pages/index.html", root, None)
    assert found.rel == "img/a.jpg"
    assert locate_image(f"file://localhost{root}/img/a.jpg", "p.html", root, None).found


@pytest.mark.parametrize(
    "src, site_url, reason",
    [
        ("", None, "invalid_record"),
        (None, None, "invalid_record"),
        ("data:image/png;base64,iVBORw0KGgo=", None, "data_uri"),
        ("DATA:image/png;base64,iVBORw0KGgo=", None, "data_uri"),
        ("https://cdn.example.net/a.jpg", None, "remote_url"),
        ("https://cdn.example.net/a.jpg", "https://example.org/", "remote_url"),
        ("https://example.org/other/img/c.jpg", BLOG, "remote_url"),
        ("file://server/share/a.jpg", None, "remote_url"),
        ("javascript:void(0)", None, "invalid_record"),
        ("../../outside.jpg", None, "path_outside_root"),
        ("/../outside.jpg", None, "path_outside_root"),
        ("https://example.org/blog/../outside.jpg", BLOG, "path_outside_root"),
        ("../img/out.jpg", None, "symlink_outside_root"),
        ("../img/nope.jpg", None, "missing_file"),
        ("../img/a%00.jpg", None, "invalid_record"),
    ],
)  # fmt: skip
def test_unusable_sources_give_a_reason(root, tmp_path, src, site_url, reason):
    found = locate_image(src, "pages/index.html", root, site_url)
    assert (found.found, found.reason) == (False, reason)
    assert found.detail


def test_file_url_outside_the_root_is_rejected(root, tmp_path):
    found = locate_image(f"file://{tmp_path}/outside.jpg", "p.html", root, None)
    assert found.reason == "path_outside_root"


def test_long_sources_are_shortened_in_messages():
    data = "data:image/png;base64," + "A" * 500
    assert len(shown(data)) == 80 and shown("a.jpg") == "a.jpg"


def test_a_folder_is_named_as_a_folder(root):
    found = locate_image("../img/", "pages/index.html", root, None)
    assert (found.found, found.rel, found.reason) == (False, "img", "missing_file")
    assert found.detail == f"{root}/img is a folder, not an image file; the src must name a file"


@pytest.mark.parametrize(
    "srcset, urls",
    [
        ("a.jpg 1x, b.jpg 2x", ["a.jpg", "b.jpg"]),
        ("a.jpg 640w,b.jpg 1280w", ["a.jpg", "b.jpg"]),
        (" , ../img/dog.jpg 2x", ["../img/dog.jpg"]),  # empty candidates are skipped
        ("a.jpg,, b.jpg", ["a.jpg", "b.jpg"]),  # commas right after a URL end it
        ("data:image/gif;base64,R0lG,AAA 1x, b.jpg", ["data:image/gif;base64,R0lG,AAA", "b.jpg"]),
        ("a.jpg (x, y), b.jpg", ["a.jpg", "b.jpg"]),  # no split inside parentheses
        ("\ta.jpg\n2x", ["a.jpg"]),
        (" , , ", []),
        ("", []),
    ],
)
def test_srcset_urls(srcset, urls):
    assert srcset_urls(srcset) == urls


@pytest.mark.parametrize(
    "src, base, rel",
    [
        ("a.jpg", "../img/", "img/a.jpg"),  # the base resolves against the page's folder
        ("a.jpg", "../img/index.html", "img/a.jpg"),  # a base names its folder up to "/"
        ("img/a.jpg", "../img", "img/a.jpg"),  # "../img" names the folder above the page's
        ("a.jpg", "/img/", "img/a.jpg"),  # site root = source root
        ("../../../img/a.jpg", "sub/dir/", "img/a.jpg"),
        ("two%20words.jpg?v=2", "../im%67/", "img/two words.jpg"),  # both percent-decoded
        ("/img/a.jpg", "../nowhere/", "img/a.jpg"),  # a site-root src keeps the base's site
        ("c.jpg", "https://example.org/blog/img/", "img/c.jpg"),  # under site_url
        ("img/c.jpg", "//example.org/blog/index.html", "img/c.jpg"),
        ("/blog/img/c.jpg", "https://example.org/elsewhere/", "img/c.jpg"),
        ("https://example.org/blog/img/c.jpg", "../nowhere/", "img/c.jpg"),  # absolute src
        ("b.png", "", "pages/b.png"),  # an empty href is the page itself
        ("b.png", " \n", "pages/b.png"),
        ("a.jpg", "..\\img\\", "img/a.jpg"),  # backslashes are slashes, as in browsers
        ("..\\img\\a.jpg", "", "img/a.jpg"),
    ],
)
def test_relative_sources_resolve_against_the_base_href(root, src, base, rel):
    found = locate_image(src, "pages/index.html", root, BLOG, base)
    assert (found.rel, found.abs_path, found.reason) == (rel, str(root / rel), "")


def test_a_file_url_base_resolves_like_a_file_url(root):
    found = locate_image("a.jpg", "pages/index.html", root, None, f"file://{root}/img/")
    assert (found.rel, found.reason) == ("img/a.jpg", "")


@pytest.mark.parametrize(
    "src, base, site_url, reason, rel, detail",
    [
        ("a.jpg", "https://cdn.example.net/img/", None, "remote_url", None,
         "image on host 'cdn.example.net'; set 'html.site_url' if the pages were saved there"
         " (src resolved against the page's <base href='https://cdn.example.net/img/'>)"),
        ("/img/a.jpg", "https://cdn.example.net/", BLOG, "remote_url", None,
         "image outside the site_url https://example.org/blog/"
         " (src resolved against the page's <base href='https://cdn.example.net/'>)"),
        ("outside.jpg", "../../", None, "path_outside_root", None,
         "resolves to {tmp}/outside.jpg, outside the source root {root}"
         " (src resolved against the page's <base href='../../'>)"),
        ("outside.jpg", "/../", None, "path_outside_root", None,
         "resolves to {tmp}/outside.jpg, outside the source root {root}"
         " (src resolved against the page's <base href='/../'>)"),
        ("out.jpg", "../img/", None, "symlink_outside_root", "img/out.jpg",
         "img/out.jpg is a symlink to {tmp}/outside.jpg, outside the source root"
         " (src resolved against the page's <base href='../img/'>)"),
        ("nope.jpg", "../img/", None, "missing_file", "img/nope.jpg",
         "{root}/img/nope.jpg does not exist"
         " (src resolved against the page's <base href='../img/'>)"),
        ("a.jpg", "data:text/html,x", None, "invalid_record", None,
         "the page's <base href='data:text/html,x'> has URL scheme 'data', against which "
         "relative URLs do not resolve"),
        ("data:image/png;base64,AA", "../img/", None, "data_uri", None,
         "the image is embedded as a data: URI; save it as a file to harvest it"),
    ],
)  # fmt: skip
def test_unusable_sources_against_a_base_href_say_so(
    root, tmp_path, src, base, site_url, reason, rel, detail
):
    found = locate_image(src, "pages/index.html", root, site_url, base)
    assert (found.found, found.rel, found.reason) == (False, rel, reason)
    assert found.detail == detail.format(tmp=tmp_path, root=root)
