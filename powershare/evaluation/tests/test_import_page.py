"""The import page: upload a CSV or XLSX file, see every row checked (or every problem, with
its row and column), confirm, and every row is imported or none. The file waits in private
storage between the preview and the confirmation, never in the page."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from powershare.evaluation.import_views import SESSION_KEY
from powershare.evaluation.models import (
    Answer,
    ImportBatch,
    Questionnaire,
    QuestionnaireResponse,
    QuestionType,
)

pytestmark = pytest.mark.django_db

GOOD = (
    "Site,ilo-1,will-do-next,Notes\n"
    "Aberdeen City,Agree,Listen more,x\n"
    "Bonnyrigg Hall,2,,y\n"
    "Aberdeen City Council,,Ask first,\n"
)


def _file(text: str, name: str = "answers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _page(response) -> str:
    return response.content.decode()


def _import_url(questionnaire) -> str:
    return reverse("evaluation:import_answers", args=[questionnaire.pk])


def _kept(client) -> dict | None:
    return client.session.get(SESSION_KEY)


def test_preview_then_confirm_imports_every_row(client_for, personas, samples):
    client = client_for("alice")
    questionnaire = samples["questionnaire"]
    before = questionnaire.responses.count()
    url = _import_url(questionnaire)
    assert client.get(url).status_code == 200

    preview = client.post(url, {"file": _file(GOOD), "site_column": "site"})
    page = _page(preview)
    assert preview.status_code == 200
    assert "3 responses will be imported" in page
    assert "Which question each column answers" in page
    assert samples["likert_question"].text in page  # ilo-1 matched to its question
    assert "Notes" in page  # left out, and said so
    assert "match no question" in page
    assert "Aberdeen City Council: 2 responses" in page  # matched to the organisation
    assert "Bonnyrigg Hall: 1 response" in page  # kept as written
    assert "Listen more" in page  # the first rows, as in the file
    # Nothing is imported yet; the file waits in private storage, its key in the session.
    assert questionnaire.responses.count() == before
    kept = _kept(client)
    assert kept["key"].startswith("evaluation-imports/")
    assert default_storage.exists(kept["key"])
    # The page carries no copy of the file.
    assert "Listen more" not in page.split('name="confirm"')[1].split("</form>")[0]

    done = client.post(url, {"confirm": "1", "form_token": "import-1"})
    assert done.status_code == 302
    assert done["Location"].endswith("#imports")
    assert questionnaire.responses.count() == before + 3
    batch = ImportBatch.objects.filter(questionnaire=questionnaire).latest("pk")
    assert (batch.file_name, batch.rows, batch.imported_by) == ("answers.csv", 3, personas.alice)
    responses = QuestionnaireResponse.objects.filter(import_batch=batch)
    assert responses.filter(site=personas.council_a).count() == 2
    assert responses.filter(site_label="Bonnyrigg Hall").count() == 1
    assert sorted(
        Answer.objects.filter(response__import_batch=batch).values_list("value", flat=True)
    ) == [2, 4]
    # The file is gone once imported, and pressing the button again imports nothing more.
    assert _kept(client) is None
    assert not default_storage.exists(kept["key"])
    again = client.post(url, {"confirm": "1", "form_token": "import-1"})
    assert again.status_code == 302
    assert questionnaire.responses.count() == before + 3
    detail = _page(client.get(done["Location"]))
    assert "3 responses imported" in detail
    assert "answers.csv" in detail


def test_a_bad_value_shows_its_row_and_column_and_imports_nothing(client_for, samples):
    client = client_for("alice")
    questionnaire = samples["questionnaire"]
    before = questionnaire.responses.count()
    url = _import_url(questionnaire)
    response = client.post(
        url, {"file": _file("ilo-1,will-do-next\nAgree,Fine\nsort of,\nYes,Ok\n")}
    )
    page = _page(response)
    assert response.status_code == 200
    assert "<title>Error:" in page
    assert "nothing has been imported" in page
    assert "Row 3, column “ilo-1”: “sort of” is not an allowed answer" in page
    assert "Row 4, column “ilo-1”: “Yes”" in page
    # The table of problems: row, column, value and what is allowed.
    assert '<td data-label="Row">3</td>' in page
    assert '<td data-label="Column">ilo-1</td>' in page
    assert "Strongly disagree, Disagree, Neither agree nor disagree, Agree, Strongly agree" in page
    assert 'name="confirm"' not in page
    assert _kept(client) is None
    # Confirming anyway (an old tab, say) imports nothing.
    client.post(url, {"confirm": "1", "form_token": "sneaky"})
    assert questionnaire.responses.count() == before


def test_the_upload_survives_between_preview_and_confirm(client_for, samples):
    client = client_for("alice")
    questionnaire = samples["questionnaire"]
    url = _import_url(questionnaire)
    before = questionnaire.responses.count()
    client.post(url, {"file": _file("ilo-1\nAgree\n", "first.csv")})
    first = _kept(client)["key"]
    # Another upload replaces the first file (which is removed)...
    client.post(url, {"file": _file("ilo-1\nAgree\nDisagree\n", "second.csv")})
    second = _kept(client)["key"]
    assert second != first
    assert not default_storage.exists(first)
    # ...and other pages in between lose nothing.
    client.get(reverse("evaluation:questionnaire_detail", args=[questionnaire.pk]))
    client.get(url)
    assert default_storage.exists(second)
    client.post(url, {"confirm": "1", "form_token": "survives"})
    assert questionnaire.responses.count() == before + 2
    assert ImportBatch.objects.filter(questionnaire=questionnaire).latest("pk").file_name == (
        "second.csv"
    )


def test_a_file_gone_from_storage_asks_for_it_again(client_for, samples):
    client = client_for("alice")
    questionnaire = samples["questionnaire"]
    url = _import_url(questionnaire)
    before = questionnaire.responses.count()
    client.post(url, {"file": _file("ilo-1\nAgree\n")})
    default_storage.delete(_kept(client)["key"])
    response = client.post(url, {"confirm": "1", "form_token": "gone"})
    assert response.status_code == 200
    assert "upload the file again" in _page(response)
    assert questionnaire.responses.count() == before
    # A file checked for one questionnaire can't be confirmed into another.
    client.post(url, {"file": _file("useful\nAgree\n")})
    other = Questionnaire.objects.get(code="listening-well-post")
    response = client.post(_import_url(other), {"confirm": "1", "form_token": "elsewhere"})
    assert "upload the file again" in _page(response)
    assert other.responses.count() == 0


def test_files_that_are_not_spreadsheets_are_refused_kindly(client_for, samples):
    client = client_for("alice")
    url = _import_url(samples["questionnaire"])
    response = client.post(url, {"file": SimpleUploadedFile("answers.pdf", b"%PDF-1.4 x")})
    assert "Upload a CSV or XLSX file" in _page(response)
    response = client.post(url, {"file": SimpleUploadedFile("answers.xlsx", b"PK\x03\x04 junk")})
    assert "doesn" in _page(response)
    response = client.post(url, {"file": _file("ilo-1\n")})
    assert "no answers under it" in _page(response)
    response = client.post(
        url, {"file": SimpleUploadedFile("answers.csv", "ilo-1\nAgrée\n".encode("latin-1"))}
    )
    assert "CSV UTF-8" in _page(response)
    assert _kept(client) is None


def test_an_xlsx_file_imports(client_for, samples):
    client = client_for("alice")
    questionnaire = samples["questionnaire"]
    before = questionnaire.responses.count()
    book = Workbook()
    book.active.append(["ilo-1", "will-do-next"])
    book.active.append([5, "Listen"])
    data = io.BytesIO()
    book.save(data)
    url = _import_url(questionnaire)
    preview = client.post(url, {"file": SimpleUploadedFile("answers.xlsx", data.getvalue())})
    assert "1 response will be imported" in _page(preview)
    client.post(url, {"confirm": "1", "form_token": "xlsx"})
    assert questionnaire.responses.count() == before + 1


def test_a_new_questionnaire_from_a_file(client_for, personas, samples):
    client = client_for("alice")
    url = reverse("evaluation:import_new")
    assert client.get(url).status_code == 200
    text = (
        "Where,How useful was it?,Would you come again?,Anything else\n"
        "Aberdeen City Council, strongly agree ,Yes,Good\n"
        "Elsewhere,3,no,\n"
    )
    preview = client.post(
        url,
        {
            "code": "Winter-Feedback",
            "title": "Winter feedback",
            "kind": "reaction",
            "product": samples["product"].pk,
            "site_column": "Where",
            "file": _file(text, "winter.csv"),
        },
    )
    page = _page(preview)
    assert "A new questionnaire with 3 questions will be made" in page
    assert "how-useful-was-it" in page
    assert "Agree or disagree (five points)" in page
    assert "Yes or no" in page
    assert "Their own words" in page
    assert not Questionnaire.objects.filter(code="winter-feedback").exists()
    # "Upload a different file" keeps what was typed (the waiting file stays until replaced).
    again = _page(client.get(url))
    assert 'value="winter-feedback"' in again
    assert 'value="Winter feedback"' in again

    done = client.post(url, {"confirm": "1", "form_token": "winter"})
    questionnaire = Questionnaire.objects.get(code="winter-feedback")
    assert done["Location"].startswith(
        reverse("evaluation:questionnaire_detail", args=[questionnaire.pk])
    )
    assert questionnaire.organisation == personas.council_a
    assert questionnaire.product == samples["product"]
    assert questionnaire.title == "Winter feedback"
    assert dict(questionnaire.questions.values_list("code", "type")) == {
        "how-useful-was-it": QuestionType.LIKERT,
        "would-you-come-again": QuestionType.YES_NO,
        "anything-else": QuestionType.TEXT,
    }
    assert questionnaire.responses.count() == 2
    assert questionnaire.responses.filter(site=personas.council_a).count() == 1
    assert questionnaire.responses.filter(site_label="Elsewhere").count() == 1


def test_a_new_questionnaire_needs_an_unused_code(client_for, samples):
    client = client_for("alice")
    response = client.post(
        reverse("evaluation:import_new"),
        {
            "code": samples["questionnaire"].code,
            "title": "Again",
            "kind": "custom",
            "file": _file("q\nYes\n"),
        },
    )
    page = _page(response)
    assert "already used by a questionnaire" in page
    assert 'value="Again"' in page  # what was typed stays
    assert _kept(client) is None


def test_an_import_can_be_taken_out(client_for, samples):
    client = client_for("alice")
    questionnaire = samples["questionnaire"]
    url = _import_url(questionnaire)
    client.post(url, {"file": _file("ilo-1\nAgree\nDisagree\n", "wrong.csv")})
    client.post(url, {"confirm": "1", "form_token": "wrong"})
    batch = ImportBatch.objects.get(file_name="wrong.csv")
    count = questionnaire.responses.count()
    undo = reverse("evaluation:import_undo", args=[batch.pk])
    page = _page(client.get(undo))
    assert "Take out the 2 responses" in page
    response = client.post(undo)
    assert response.status_code == 302
    assert not ImportBatch.objects.filter(pk=batch.pk).exists()
    assert questionnaire.responses.count() == count - 2


def test_only_managers_of_the_organisation_import(client_for, samples):
    url = _import_url(samples["questionnaire"])
    for persona in ("bob", "charlie"):
        client = client_for(persona)
        assert client.get(url).status_code == 404
        assert client.post(url, {"file": _file("ilo-1\nAgree\n")}).status_code == 404
        assert client.post(url, {"confirm": "1"}).status_code == 404
    assert client_for("bob").get(reverse("evaluation:import_new")).status_code == 404
