"""fhirpy, the Python FHIR client, against the server: a batch sent to the base with a trailing
slash, count(), paging through every page, and an update by NHS number. Run by clients.test.mjs,
which starts the server: python fhirpy_client.py BASE_URL BEARER_TOKEN. Exits non-zero, saying
why, on the first thing that does not work as a FHIR client expects."""

import sys

from fhirpy import SyncFHIRClient

NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
# Synthetic, from the 999 test range, each passing the modulus-11 check.
NHS_NUMBERS = ["9997700031", "9997700058", "9997700066"]


def patient(nhs_number, given):
    return {
        "resourceType": "Patient",
        "identifier": [{"system": NHS_NUMBER, "value": nhs_number}],
        "name": [{"family": "Pyclient", "given": [given]}],
        "gender": "unknown",
        "birthDate": "1979-11-30",
    }


def main(base, token):
    # fhirpy's count() adds Aidbox's `_totalMethod`, which is no FHIR parameter: a strict server
    # refuses it, so the client asks for FHIR's lenient handling, as the specification provides.
    client = SyncFHIRClient(
        base,
        authorization=f"Bearer {token}",
        extra_headers={"Prefer": "handling=lenient"},
    )

    answered = client.execute(
        "/",
        method="post",
        data={
            "resourceType": "Bundle",
            "type": "batch",
            "entry": [
                {"resource": patient(n, f"Person{i}"), "request": {"method": "POST", "url": "Patient"}}
                for i, n in enumerate(NHS_NUMBERS)
            ],
        },
    )
    statuses = [entry["response"]["status"] for entry in answered["entry"]]
    assert statuses == ["201 Created"] * 3, statuses

    people = client.resources("Patient").search(family="Pyclient")
    assert people.count() == 3, people.count()

    given = [p["name"][0]["given"][0] for p in people.sort("given").limit(2).fetch_all()]
    assert given == ["Person0", "Person1", "Person2"], given

    changed = client.resource("Patient", **patient(NHS_NUMBERS[2], "Person2"))
    changed["gender"] = "male"
    updated, created = (
        client.resources("Patient").search(identifier=f"{NHS_NUMBER}|{NHS_NUMBERS[2]}").update(changed)
    )
    assert not created, "the patient existed: updated, not created"
    assert updated["gender"] == "male" and updated["meta"]["versionId"] == "2", updated
    assert people.count() == 3, "updated, not duplicated"
    print("fhirpy: batch, count, paging and conditional update all worked")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
