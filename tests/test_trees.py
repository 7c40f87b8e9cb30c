"""The pinned trees: every library's sdist has a checksum, and specs name them."""

import pytest

from modelgen.errors import ModelgenError
from modelgen.trees import PINNED_SDISTS, parse_spec, pristine_tree


def test_a_bare_version_means_transformers_and_a_library_can_be_named():
    assert parse_spec("4.57.6") == ("transformers", "4.57.6")
    assert parse_spec("diffusers==0.42.1") == ("diffusers", "0.42.1")


def test_every_pinned_sdist_has_a_sha256():
    assert {library for library, _ in PINNED_SDISTS} == {"transformers", "diffusers"}
    assert all(len(checksum) == 64 and int(checksum, 16) >= 0 for checksum in PINNED_SDISTS.values())


def test_an_unpinned_tree_is_an_error_listing_the_pinned_ones():
    with pytest.raises(ModelgenError, match=r"no pinned checksum for diffusers 0\.1\.0 \(known: .*diffusers==0\.42\.1"):
        pristine_tree("diffusers==0.1.0")


@pytest.mark.real_tree
def test_the_diffusers_tree_unpacks_with_its_package(pristine_diffusers, pristine_4576):
    assert (pristine_diffusers / "src/diffusers/models").is_dir()
    assert (pristine_4576 / "src/transformers/models/bert/modeling_bert.py").is_file()
    assert (pristine_diffusers / ".complete").read_text() == PINNED_SDISTS["diffusers", "0.42.1"]
