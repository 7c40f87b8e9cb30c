from modelgen.copies.blocks import SourceText

TEXT = '''class Outer:
    """Docstring that mentions
class NotADefinition:
and has a line with no indentation."""

    def method(
        self,
        value,
    ):
        return value

    # End copy
    def after(self):
        pass


def function():
    pass
'''


def test_docstring_lines_neither_end_a_block_nor_define_anything():
    text = SourceText(TEXT)
    outer = text.find("Outer")
    assert text.block_end(outer.header) == 14
    assert text.find("NotADefinition") is None


def test_nested_names_and_multi_line_signatures():
    text = SourceText(TEXT)
    method = text.find("Outer.method")
    assert (method.header, text.block_end(method.header)) == (5, 10)
    assert text.qualname_at(method.header) == "Outer.method"
    assert text.find("Outer.function") is None
    assert text.find("function").header == 16


def test_end_copy_ends_a_copy_only_at_its_body_indentation():
    text = SourceText(TEXT)
    assert text.block_end(0, stop_at_end_copy=True) == 10  # the blank line before it is trimmed
    assert text.block_end(0) == 14


def test_a_wrapped_one_line_class_header_belongs_to_its_block():
    text = SourceText("class LongName(\n    BaseClass\n): ...\n\n\nclass Next:\n    pass\n")
    assert text.block_end(0) == 3
