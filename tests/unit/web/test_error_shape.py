"""Validation failures name their fields the way API.md writes them."""

from shared.web.errors import ErrorResponse, field_path, validation_details


def test_body_locations_become_dotted_paths_with_indexes():
    assert field_path(("body", "calls", 3, "occurred_at")) == "calls[3].occurred_at"
    assert field_path(("query", "calls")) == "calls"
    assert field_path(("body",)) == "body"
    assert field_path(("path", "account_id")) == "account_id"


def test_validation_details_keep_the_problem_text():
    details = validation_details([{"loc": ("query", "calls"), "msg": "Input should be a valid integer"}])

    assert [detail.model_dump() for detail in details] == [
        {"field": "calls", "problem": "Input should be a valid integer"}]


def test_the_error_body_always_has_details_even_when_empty():
    body = ErrorResponse.model_validate({"error": {"code": "NOT_FOUND", "message": "gone"}})

    assert body.model_dump() == {"error": {"code": "NOT_FOUND", "message": "gone", "details": []}}
