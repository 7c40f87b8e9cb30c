import pytest

from modelgen.copies.replacements import (
    Replacement,
    ReplacementSyntaxError,
    apply_replacements,
    format_replacements,
    parse_replacement_part,
    parse_replacements,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("with Bert->Roberta", [Replacement("Bert", "Roberta")]),
        ("with Bert->Roberta, BERT->ROBERTA", [Replacement("Bert", "Roberta"), Replacement("BERT", "ROBERTA")]),
        ("with Bert->Roberta,BERT->ROBERTA", [Replacement("Bert", "Roberta"), Replacement("BERT", "ROBERTA")]),
        ("with Bert -> BlipText", [Replacement("Bert", "BlipText")]),
        ("with Bert->Roberta all-casing", [Replacement("Bert", "Roberta", all_casing=True)]),
        ("ViT->ViTMAE", [Replacement("ViT", "ViTMAE")]),
        ("with Bert->Roberta, with self.bert->self.roberta", [Replacement("Bert", "Roberta"), Replacement("self.bert", "self.roberta")]),
        ("with Bert->Roberta->Camembert", [Replacement("Bert", "Camembert")]),
        ("with AltCLIP->GitVision, CLIPConfig", [Replacement("AltCLIP", "GitVision")]),
        ("with modifications.", []),
    ],
)
def test_parse_forms_found_in_real_trees(text, expected):
    assert parse_replacements(text) == expected


def test_phrase_pairs_are_reported_as_not_applied():
    pairs, ignored = parse_replacement_part("with DeformableDetr->OmDetTurbo, Deformable DETR->OmDet-Turbo")
    assert pairs == [Replacement("DeformableDetr", "OmDetTurbo")]
    assert ignored == ["Deformable DETR->OmDet-Turbo"]


@pytest.mark.parametrize("text", ["with Bert->", "with ->Roberta", "with (Bert->Roberta", "with Bert->Roberta\\"])
def test_unparsable_replacements_raise(text):
    with pytest.raises(ReplacementSyntaxError):
        parse_replacements(text)


def test_all_casing_does_not_cascade():
    replacements = parse_replacements("with Bert->Roberta all-casing")
    assert apply_replacements("BertModel bert_model BERT_INPUTS", replacements) == "RobertaModel roberta_model ROBERTA_INPUTS"


def test_pairs_apply_left_to_right_as_regular_expressions():
    replacements = parse_replacements("with self.bert->self.roberta, Bert->Roberta")
    assert apply_replacements("self.bert = BertModel(); selfXbert", replacements) == "self.roberta = RobertaModel(); self.roberta"


def test_format_round_trips():
    replacements = [Replacement("Bert", "Roberta"), Replacement("BERT", "ROBERTA", all_casing=True)]
    assert parse_replacements(format_replacements(replacements)) == replacements
