from modelgen.copies.markers import find_markers

SOURCE = '''
# Copied from transformers.models.bert.modeling_bert.BertSelfOutput with Bert->Roberta
class RobertaSelfOutput:
    # Copied from transformers.models.bert.modeling_bert.BertEmbeddings.__init__
    def __init__(self):
        pass

# Copied form transformers.models.bert.modeling_bert.BertOutput
class RobertaOutput:
    pass

# Copied from transformer.models.bert.modeling_bert.BertPooler
@dataclass
class RobertaPooler:
    pass

# Copied from https://github.com/facebookresearch/detr/blob/master/models/detr.py
class DetrLoss:
    pass

# copied from transformers.models.bert.modeling_bert.BertLayer (lower case: free text by convention)
class RobertaLayer:
    pass

x = 1  # Copied from transformers.models.bert.modeling_bert.BertLayer (a trailing comment)

# Copied from timm.models.layers.drop_path (another library)
def drop_path():
    pass

# The Copied form transformer.x wording in prose is not above a definition
value = 2

# Copied from tests.models.bert.test_modeling_bert.floats_list
def floats_list():
    pass
'''


def test_finds_markers_and_misspellings_only_above_definitions():
    markers = find_markers(SOURCE, "transformers")
    found = [(marker.line, marker.target, marker.misspelling) for marker in markers]
    assert found == [
        (2, "transformers.models.bert.modeling_bert.BertSelfOutput", None),
        (4, "transformers.models.bert.modeling_bert.BertEmbeddings.__init__", None),
        (8, "transformers.models.bert.modeling_bert.BertOutput", "# Copied form transformers."),
        (12, "transformers.models.bert.modeling_bert.BertPooler", "# Copied from transformer."),
        (34, "transformers.models.bert.test_modeling_bert.floats_list", "# Copied from tests."),
    ]
    assert markers[0].replacements[0].new == "Roberta"
    assert markers[1].indent == "    "


def test_tests_prefix_is_a_marker_in_test_files():
    markers = find_markers(SOURCE, "transformers", in_tests=True)
    assert markers[-1].target == "tests.models.bert.test_modeling_bert.floats_list"
    assert markers[-1].misspelling is None


def test_package_name_comes_from_the_repository():
    text = "# Copied from diffusers.models.unet.UNetBlock\nclass Block:\n    pass\n"
    assert [marker.target for marker in find_markers(text, "diffusers")] == ["diffusers.models.unet.UNetBlock"]
    assert find_markers(text, "transformers") == []


def test_malformed_replacement_is_kept_as_a_syntax_error():
    text = "# Copied from transformers.models.bert.modeling_bert.BertOutput with Bert->\nclass X:\n    pass\n"
    (marker,) = find_markers(text, "transformers")
    assert marker.syntax_error is not None
