//! FHIR search over the seeded demo practice, as an independent client would use it.

use std::collections::HashSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn search(app: &TestApp, query: &str) -> Value {
    let response = app.fhir(Method::GET, query).send().await.unwrap();
    assert_eq!(response.status(), 200, "{query}");
    let bundle: Value = response.json().await.unwrap();
    assert_eq!(bundle["type"], "searchset");
    bundle
}

fn entries<'a>(bundle: &'a Value, mode: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter(|e| e["search"]["mode"] == mode)
                .map(|e| &e["resource"])
                .collect()
        })
        .unwrap_or_default()
}

fn link<'a>(bundle: &'a Value, relation: &str) -> Option<&'a str> {
    bundle["link"]
        .as_array()?
        .iter()
        .find(|l| l["relation"] == relation)?["url"]
        .as_str()
}

#[tokio::test]
async fn patients_are_found_by_nhs_number_name_prefix_and_birth_date() {
    let app = spawn_app().await;
    let bundle = search(
        &app,
        "Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9990000018",
    )
    .await;
    assert_eq!(bundle["total"], 1);
    let patient = entries(&bundle, "match")[0];
    assert_eq!(patient["identifier"][0]["value"], "9990000018");
    assert!(
        bundle["entry"][0]["fullUrl"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );

    let family = patient["name"][0]["family"].as_str().unwrap().to_owned();
    let prefix = family[..3].to_uppercase();
    let bundle = search(&app, &format!("Patient?family={prefix}&_count=200")).await;
    let families: Vec<&str> = entries(&bundle, "match")
        .iter()
        .map(|p| p["name"][0]["family"].as_str().unwrap())
        .collect();
    assert!(families.contains(&family.as_str()));
    assert!(
        families
            .iter()
            .all(|f| f.to_lowercase().starts_with(&prefix.to_lowercase())),
        "{families:?}"
    );

    let exact = search(
        &app,
        &format!("Patient?family:exact={}&_summary=count", prefix),
    )
    .await;
    assert_eq!(exact["total"], 0, "exact is case- and length-sensitive");
    assert!(
        exact.get("entry").is_none(),
        "_summary=count sends no entries"
    );

    let born = patient["birthDate"].as_str().unwrap();
    let bundle = search(
        &app,
        &format!("Patient?birthdate={born}&identifier=9990000018"),
    )
    .await;
    assert_eq!(bundle["total"], 1);
    let year = &born[..4];
    let bundle = search(&app, &format!("Patient?birthdate=lt{year}&_count=200")).await;
    assert!(
        entries(&bundle, "match")
            .iter()
            .all(|p| p["birthDate"].as_str().unwrap() < year)
    );
}

#[tokio::test]
async fn paging_walks_every_match_once_in_the_requested_order() {
    let app = spawn_app().await;
    // Without a condition the page is picked from `resources`; with one, from the index alone.
    // Uncounted (`_total=none`), the next page is known by one match more, not by the total.
    for first in [
        "Patient?_sort=-birthdate&_count=30",
        "Patient?birthdate=ge1900-01-01&_sort=-birthdate&_count=30",
        "Patient?_sort=-birthdate&_count=30&_total=none",
        "Patient?birthdate=ge1900-01-01&_sort=-birthdate&_count=30&_total=none",
    ] {
        walk_pages(&app, first).await;
    }
}

async fn walk_pages(app: &TestApp, first: &str) {
    let mut url = first.to_owned();
    let mut seen = HashSet::new();
    let mut births = Vec::new();
    let mut pages = 0;
    loop {
        let bundle = search(app, &url).await;
        if first.contains("_total=none") {
            assert!(bundle.get("total").is_none(), "uncounted: {first}");
        } else {
            assert_eq!(bundle["total"], 200, "{first}");
        }
        for patient in entries(&bundle, "match") {
            assert!(
                seen.insert(patient["id"].as_str().unwrap().to_owned()),
                "a patient on two pages"
            );
            births.push(patient["birthDate"].as_str().unwrap().to_owned());
        }
        pages += 1;
        match link(&bundle, "next") {
            Some(next) => url = next.split_once("/fhir/").unwrap().1.to_owned(),
            None => break,
        }
    }
    assert_eq!((seen.len(), pages), (200, 7), "{first}");
    assert!(
        births.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {first}"
    );
}

#[tokio::test]
async fn free_slots_on_a_day_come_with_their_schedules() {
    let app = spawn_app().await;
    let any = search(&app, "Slot?status=free&_count=1&_sort=start").await;
    let first = entries(&any, "match")[0];
    let day = &first["start"].as_str().unwrap()[..10];
    let bundle = search(&app, &format!("Slot?start=ge{day}&start=lt{day}T23:59:59Z&status=free&_include=Slot:schedule&_count=500")).await;
    let slots = entries(&bundle, "match");
    assert!(!slots.is_empty());
    assert!(
        slots
            .iter()
            .all(|s| s["status"] == "free" && s["start"].as_str().unwrap().starts_with(day))
    );
    let schedules: HashSet<String> = entries(&bundle, "include")
        .iter()
        .map(|s| format!("Schedule/{}", s["id"].as_str().unwrap()))
        .collect();
    for slot in &slots {
        assert!(schedules.contains(slot["schedule"]["reference"].as_str().unwrap()));
    }

    let busy = search(&app, "Slot?status=busy&_summary=count").await;
    let appointments = search(&app, "Appointment?status=booked&_summary=count").await;
    assert_eq!(
        busy["total"], appointments["total"],
        "every busy slot is an appointment's"
    );
}

#[tokio::test]
async fn a_patients_appointments_come_with_the_patient_and_revinclude_finds_them_back() {
    let app = spawn_app().await;
    let one = search(&app, "Appointment?_count=1").await;
    let patient_ref = entries(&one, "match")[0]["participant"][0]["actor"]["reference"]
        .as_str()
        .unwrap()
        .to_owned();
    let bundle = search(
        &app,
        &format!("Appointment?patient={patient_ref}&_include=Appointment:patient"),
    )
    .await;
    let appointments = entries(&bundle, "match");
    assert!(
        appointments
            .iter()
            .all(|a| a["participant"][0]["actor"]["reference"] == patient_ref.as_str())
    );
    let included = entries(&bundle, "include");
    assert_eq!(included.len(), 1);
    assert_eq!(
        format!("Patient/{}", included[0]["id"].as_str().unwrap()),
        patient_ref
    );

    let id = patient_ref.trim_start_matches("Patient/");
    let bundle = search(
        &app,
        &format!("Patient?_id={id}&_revinclude=Appointment:patient"),
    )
    .await;
    assert_eq!(entries(&bundle, "include").len(), appointments.len());

    // _include:iterate follows on from what was included: each slot's schedule comes too.
    let bundle = search(
        &app,
        &format!(
            "Appointment?patient={patient_ref}&_include=Appointment:slot&_include:iterate=Slot:schedule"
        ),
    )
    .await;
    let included = entries(&bundle, "include");
    let of_type = |kind: &str| -> Vec<&Value> {
        included
            .iter()
            .copied()
            .filter(|r| r["resourceType"] == kind)
            .collect()
    };
    let (slots, schedules) = (of_type("Slot"), of_type("Schedule"));
    assert!(!slots.is_empty() && !schedules.is_empty(), "{bundle}");
    for slot in &slots {
        let schedule = slot["schedule"]["reference"].as_str().unwrap();
        assert!(
            schedules
                .iter()
                .any(|s| format!("Schedule/{}", s["id"].as_str().unwrap()) == schedule),
            "{schedule} is included"
        );
    }
}

#[tokio::test]
async fn writes_and_deletes_show_in_search_at_once() {
    let app = spawn_app().await;
    let body = json!({"resourceType": "Patient", "name": [{"family": "Zzyzx"}], "birthDate": "2001-02-03"});
    let created: Value = app
        .fhir_with(Method::POST, "Patient", &body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(search(&app, "Patient?family=zzy").await["total"], 1);
    let by_post = app
        .client
        .post(format!("{}/fhir/Patient/_search", app.address))
        .bearer_auth(app.token.as_deref().unwrap_or_default())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("family=zzyzx&birthdate=2001")
        .send()
        .await
        .unwrap();
    assert_eq!(by_post.json::<Value>().await.unwrap()["total"], 1);

    let id = created["id"].as_str().unwrap();
    app.fhir(Method::DELETE, &format!("Patient/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(search(&app, "Patient?family=zzy").await["total"], 0);
}

#[tokio::test]
async fn any_r4_type_is_stored_and_found_by_the_specifications_parameters() {
    let app = spawn_app().await;
    let patient: Value = app
        .fhir_with(
            Method::POST,
            "Patient",
            &json!({"resourceType": "Patient", "name": [{"family": "Procter"}],
                "telecom": [{"system": "email", "value": "procter@example.org"}],
                "deceasedDateTime": "2024-05-01T10:00:00Z"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let patient_id = patient["id"].as_str().unwrap();
    // Types the service itself never writes, as a hospital's systems send them.
    let procedure = json!({"resourceType": "Procedure", "status": "completed",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "80146002"}]},
        "subject": {"reference": format!("Patient/{patient_id}")},
        "performedPeriod": {"start": "2024-03-01", "end": "2024-03-02"},
        "instantiatesUri": ["https://example.org/protocols/appendix"]});
    let created = app
        .fhir_with(Method::POST, "Procedure", &procedure)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let request = json!({"resourceType": "ServiceRequest", "status": "active", "intent": "order",
        "subject": {"reference": format!("Patient/{patient_id}")},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "26604007"}]}});
    let created = app
        .fhir_with(Method::POST, "ServiceRequest", &request)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);

    let total = |query: &'static str| {
        let app = &app;
        async move { search(app, query).await["total"].clone() }
    };
    let by_patient = format!("Procedure?patient={patient_id}&code=http://snomed.info/sct|80146002");
    assert_eq!(search(&app, &by_patient).await["total"], 1, "a bare id");
    assert_eq!(total("Procedure?date=2024-03").await, 1, "the period");
    assert_eq!(total("Procedure?date=2025").await, 0);
    assert_eq!(total("Procedure?date=sa2024-02").await, 1, "starts after");
    assert_eq!(total("Procedure?date=sa2024-03-01").await, 0, "overlaps");
    assert_eq!(total("Procedure?date=eb2024-04").await, 1, "ends before");
    assert_eq!(total("Procedure?date=eb2024-03-02").await, 0, "overlaps");
    assert_eq!(
        total("Procedure?instantiates-uri=https://example.org/protocols/appendix").await,
        1,
        "a uri"
    );
    assert_eq!(
        total("Procedure?instantiates-uri:below=https://example.org/protocols").await,
        1,
        "a uri below"
    );
    assert_eq!(
        total("Procedure?instantiates-uri:above=https://example.org/protocols/appendix/v2").await,
        1,
        "a uri above"
    );
    assert_eq!(
        total("Procedure?instantiates-uri:below=https://example.org/other").await,
        0
    );
    let typed = format!("Procedure?subject:Patient={patient_id}");
    assert_eq!(search(&app, &typed).await["total"], 1, "a typed reference");
    let wrong_type = format!("Procedure?subject:Group={patient_id}");
    assert_eq!(search(&app, &wrong_type).await["total"], 0);
    assert_eq!(total("ServiceRequest?code=26604007&intent=order").await, 1);
    assert_eq!(total("Patient?email=procter@example.org").await, 1);
    assert_eq!(total("Patient?family=procter&deceased=true").await, 1);
    assert_eq!(total("Patient?family=procter&deceased=false").await, 0);
    assert_eq!(
        total("Patient?family=procter&birthdate:missing=true").await,
        1
    );
    assert_eq!(total("Patient?family=procter&email:missing=false").await, 1);
    assert_eq!(total("Patient?family=procter&email:missing=true").await, 0);
    assert_eq!(total("Procedure?performer:missing=true").await, 1, "alone");
    // Chains: the Procedures of the patient with this email, by a typed and an untyped link.
    assert_eq!(
        total("Procedure?subject:Patient.email=procter@example.org").await,
        1
    );
    assert_eq!(
        total("Procedure?patient.family=procter&code=80146002").await,
        1
    );
    assert_eq!(
        total("Procedure?patient.family=nobody-by-this-name").await,
        0
    );
    let ledger = app
        .fhir(Method::GET, "AuditEvent?patient.family=procter")
        .send()
        .await
        .unwrap();
    assert_eq!(ledger.status(), 400, "the ledger takes no chains");
    // _has: the patients a Procedure with this code points to.
    assert_eq!(
        total("Patient?_has:Procedure:patient:code=80146002").await,
        1
    );
    assert_eq!(
        total("Patient?family=procter&_has:Procedure:patient:code=12345").await,
        0
    );
    // :not matches what has no such value, including what has no value at all.
    assert_eq!(total("Patient?family=procter&gender:not=male").await, 1);
    let not_code = |code: &str| format!("Procedure?patient={patient_id}&code:not={code}");
    assert_eq!(
        search(&app, &not_code("http://snomed.info/sct|80146002")).await["total"],
        0
    );
    assert_eq!(search(&app, &not_code("80146002,12345")).await["total"], 0);
    assert_eq!(
        search(&app, &not_code("http://snomed.info/sct|12345")).await["total"],
        1
    );
    let everything = search(
        &app,
        &format!("Patient?_id={patient_id}&_revinclude=Procedure:subject&_revinclude=ServiceRequest:patient"),
    )
    .await;
    assert_eq!(entries(&everything, "include").len(), 2);

    // A read of one is audited against the patient it is about.
    let procedures = search(&app, "Procedure?code=80146002").await;
    let procedure_id = entries(&procedures, "match")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get_fhir(&format!("Procedure/{procedure_id}")).await;
    let trail = search(
        &app,
        &format!("AuditEvent?patient=Patient/{patient_id}&_count=100"),
    )
    .await;
    let read_procedure = entries(&trail, "match").iter().any(|event| {
        event["entity"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["what"]["reference"] == format!("Procedure/{procedure_id}"))
    });
    assert!(read_procedure, "{trail}");
}

#[tokio::test]
async fn summary_and_elements_return_part_of_each_match_marked_as_such() {
    let app = spawn_app().await;
    let bundle = search(&app, "Patient?_elements=birthDate&_count=3").await;
    let patients = entries(&bundle, "match");
    assert_eq!(patients.len(), 3);
    for patient in patients {
        assert!(patient.get("birthDate").is_some(), "{patient}");
        assert!(patient.get("name").is_none(), "{patient}");
        assert_eq!(patient["meta"]["tag"][0]["code"], "SUBSETTED");
    }
    let bundle = search(&app, "Patient?_summary=true&_count=3").await;
    for patient in entries(&bundle, "match") {
        assert!(patient.get("name").is_some() && patient.get("text").is_none());
    }
    // A read takes them too.
    let id = entries(&bundle, "match")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let read = app
        .get_fhir(&format!("Patient/{id}?_elements=birthDate"))
        .await;
    assert!(read.get("name").is_none() && read.get("birthDate").is_some());
    assert_eq!(read["meta"]["tag"][0]["code"], "SUBSETTED");
    let refused = app
        .fhir(Method::GET, &format!("Patient/{id}?_summary=maybe"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let refused = app
        .fhir(Method::GET, "Patient?_elements=colour")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
}

#[tokio::test]
async fn numbers_and_quantities_are_compared_with_prefixes_units_and_precision() {
    let app = spawn_app().await;
    let patient: Value = app
        .fhir_with(
            Method::POST,
            "Patient",
            &json!({"resourceType": "Patient", "name": [{"family": "Measured"}]}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let subject = format!("Patient/{}", patient["id"].as_str().unwrap());
    let ucum = "http://unitsofmeasure.org";
    let observation = |text: &str, value: Value| {
        json!({"resourceType": "Observation", "status": "final", "code": {"text": text},
            "subject": {"reference": subject}, "valueQuantity": value})
    };
    let written = [
        observation(
            "Pulse",
            json!({"value": 72, "unit": "beats/minute", "system": ucum, "code": "/min"}),
        ),
        observation(
            "Temperature",
            json!({"value": 37.5, "unit": "°C", "system": ucum, "code": "Cel"}),
        ),
        observation(
            "Weight",
            json!({"value": 70.25, "unit": "kg", "system": ucum, "code": "kg"}),
        ),
        json!({"resourceType": "Observation", "status": "final", "code": {"text": "Blood pressure"},
            "subject": {"reference": subject},
            "component": [
                {"code": {"text": "Systolic"}, "valueQuantity": {"value": 140, "unit": "mmHg", "system": ucum, "code": "mm[Hg]"}},
                {"code": {"text": "Diastolic"}, "valueQuantity": {"value": 90, "unit": "mmHg", "system": ucum, "code": "mm[Hg]"}}]}),
        json!({"resourceType": "RiskAssessment", "status": "final", "subject": {"reference": subject},
            "prediction": [{"probabilityDecimal": 0.8}]}),
        json!({"resourceType": "Condition", "subject": {"reference": subject},
            "code": {"text": "Asthma"},
            "onsetRange": {"low": {"value": 40, "unit": "years", "system": ucum, "code": "a"},
                           "high": {"value": 50, "unit": "years", "system": ucum, "code": "a"}}}),
    ];
    for resource in &written {
        let response = app
            .fhir_with(
                Method::POST,
                resource["resourceType"].as_str().unwrap(),
                resource,
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{resource}");
    }
    let found = |query: String| {
        let app = &app;
        async move {
            let bundle = search(app, &query).await;
            let mut names: Vec<String> = entries(&bundle, "match")
                .iter()
                .map(|r| r["code"]["text"].as_str().unwrap_or("risk").to_owned())
                .collect();
            names.sort();
            names
        }
    };
    let values = |value: &str| format!("Observation?subject={subject}&value-quantity={value}");
    assert_eq!(found(values("72")).await, ["Pulse"]);
    assert_eq!(
        found(values("72.0")).await,
        ["Pulse"],
        "72.0 spans 71.95 to 72.05"
    );
    assert!(
        found(values("72.3")).await.is_empty(),
        "outside 72.3's precision"
    );
    assert_eq!(
        found(values("70")).await,
        ["Weight"],
        "70 spans 69.5 to 70.5"
    );
    assert!(found(values("70.2")).await.is_empty(), "70.25 is not 70.2");
    assert_eq!(found(values("gt70")).await, ["Pulse", "Weight"]);
    assert_eq!(found(values("ge70.25")).await, ["Pulse", "Weight"]);
    assert_eq!(found(values("lt70")).await, ["Temperature"]);
    assert_eq!(found(values("ne72")).await, ["Temperature", "Weight"]);
    assert_eq!(
        found(values("ap80")).await,
        ["Pulse"],
        "within a tenth of 80"
    );
    assert_eq!(found(values("sa70.25")).await, ["Pulse"]);
    assert_eq!(found(values("eb37.6")).await, ["Temperature"]);
    // Units: by system and code, by code alone, or as written.
    assert_eq!(found(values(&format!("72|{ucum}|/min"))).await, ["Pulse"]);
    assert!(found(values(&format!("72|{ucum}|kg"))).await.is_empty());
    assert_eq!(found(values("gt30||Cel")).await, ["Temperature"]);
    assert_eq!(found(values("72||beats/minute")).await, ["Pulse"]);
    assert_eq!(found(values("gt0,37.5")).await.len(), 3, "ORed values");
    let components =
        |value: &str| format!("Observation?subject={subject}&component-value-quantity={value}");
    assert_eq!(found(components("gt130")).await, ["Blood pressure"]);
    assert!(found(components("gt150")).await.is_empty());
    let combined =
        |value: &str| format!("Observation?subject={subject}&combo-value-quantity={value}");
    assert_eq!(found(combined("ge72")).await, ["Blood pressure", "Pulse"]);
    // A number parameter, and a quantity read from a Range (40 to 50 years).
    let risk = |value: &str| format!("RiskAssessment?subject={subject}&probability={value}");
    assert_eq!(found(risk("gt0.5")).await.len(), 1);
    assert_eq!(found(risk("0.8")).await.len(), 1);
    assert!(found(risk("lt0.5")).await.is_empty());
    let onset = |value: &str| format!("Condition?subject={subject}&onset-age={value}");
    assert_eq!(
        found(onset("ge45")).await,
        ["Asthma"],
        "the range reaches 45"
    );
    assert_eq!(
        found(onset("lt45")).await,
        ["Asthma"],
        "and starts below it"
    );
    assert!(found(onset("sa45")).await.is_empty(), "not wholly above");
    assert_eq!(found(onset("eb60||a")).await, ["Asthma"]);
    assert!(found(onset("lt30")).await.is_empty());
    // Sorted by value, largest first.
    let sorted = search(
        &app,
        &format!("Observation?subject={subject}&value-quantity=gt0&_sort=-value-quantity"),
    )
    .await;
    let order: Vec<&str> = entries(&sorted, "match")
        .iter()
        .map(|r| r["code"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["Pulse", "Weight", "Temperature"]);
    for bad in [
        "value-quantity=high",
        "value-quantity=5|mg",
        "probability=gtx",
    ] {
        let kind = if bad.starts_with("probability") {
            "RiskAssessment"
        } else {
            "Observation"
        };
        let response = app
            .fhir(Method::GET, &format!("{kind}?{bad}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{bad}");
        let outcome: Value = response.json().await.unwrap();
        assert_eq!(outcome["resourceType"], "OperationOutcome", "{bad}");
    }
}

#[tokio::test]
async fn identifiers_are_found_by_their_type_with_of_type() {
    let app = spawn_app().await;
    let v2 = "http://terminology.hl7.org/CodeSystem/v2-0203";
    // The same number, once as a hospital's medical record number and once as a passport.
    for (code, family) in [("MR", "Typedrecord"), ("PPN", "Typedpassport")] {
        let patient = json!({"resourceType": "Patient", "name": [{"family": family}],
            "identifier": [{"type": {"coding": [{"system": v2, "code": code}]},
                "system": "https://hospital.example.org/id", "value": "X-4711"}]});
        app.create_fhir(&patient).await;
    }
    let found = search(&app, "Patient?identifier=X-4711").await;
    assert_eq!(found["total"], 2);
    let record = search(&app, &format!("Patient?identifier:of-type={v2}|MR|X-4711")).await;
    let matched = entries(&record, "match");
    assert_eq!(matched.len(), 1, "{record}");
    assert_eq!(matched[0]["name"][0]["family"], "Typedrecord");
    // The type alone is no identifier, nor is the type's code on its own a token match.
    let none = search(&app, &format!("Patient?identifier:of-type={v2}|MR|X-0000")).await;
    assert_eq!(none["total"], 0);
    assert_eq!(search(&app, "Patient?identifier=MR").await["total"], 0);
    let malformed = app
        .fhir(Method::GET, "Patient?identifier:of-type=MR|X-4711")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
}

#[tokio::test]
async fn composites_find_a_code_and_its_value_in_the_same_element() {
    let app = spawn_app().await;
    let loinc = |code: &str| json!({"coding": [{"system": "http://loinc.org", "code": code}]});
    let mmhg = |value: i64| json!({"value": value, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]"});
    // High systolic; and high diastolic with a normal systolic: "systolic above 140" is only
    // the first, though the second holds a pressure above 140 too.
    for (family, systolic, diastolic) in [("Highsystolic", 152, 85), ("Highdiastolic", 118, 145)] {
        let patient = app
            .create_fhir(&json!({"resourceType": "Patient", "name": [{"family": family}]}))
            .await;
        let pressure = json!({"resourceType": "Observation", "status": "final",
        "code": loinc("85354-9"),
        "subject": {"reference": format!("Patient/{}", patient["id"].as_str().unwrap())},
        "effectiveDateTime": "2026-12-01T09:30:00+00:00",
        "component": [
            {"code": loinc("8480-6"), "valueQuantity": mmhg(systolic)},
            {"code": loinc("8462-4"), "valueQuantity": mmhg(diastolic)},
        ]});
        app.create_fhir(&pressure).await;
    }
    let families = |bundle: &Value| -> Vec<String> {
        entries(bundle, "include")
            .iter()
            .map(|p| p["name"][0]["family"].as_str().unwrap().to_owned())
            .collect()
    };
    let above = |query: &str| {
        format!("Observation?component-code-value-quantity={query}&_include=Observation:subject")
    };
    let systolic_high = search(&app, &above("http://loinc.org|8480-6$gt140")).await;
    assert_eq!(families(&systolic_high), ["Highsystolic"]);
    let diastolic_high = search(
        &app,
        &above("8462-4$gt140|http://unitsofmeasure.org|mm[Hg]"),
    )
    .await;
    assert_eq!(families(&diastolic_high), ["Highdiastolic"]);
    let either = search(&app, &above("8480-6$gt140,8462-4$gt140")).await;
    assert_eq!(either["total"], 2);
    let none = search(&app, &above("http://loinc.org|8480-6$gt160")).await;
    assert_eq!(none["total"], 0);
    // The code of the observation itself, with a token beside it.
    let by_code = search(
        &app,
        "Observation?combo-code-value-quantity=8480-6$152&_summary=count",
    )
    .await;
    assert_eq!(by_code["total"], 1);
    let malformed = app
        .fhir(
            Method::GET,
            "Observation?component-code-value-quantity=8480-6",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
}

#[tokio::test]
async fn revinclude_iterate_follows_what_refers_to_what_was_included() {
    let app = spawn_app().await;
    let app = &app;
    let create = |resource: Value| async move {
        app.create_fhir(&resource).await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let patient = create(json!({"resourceType": "Patient", "name": [{"family": "Iterate"}]})).await;
    let encounter = create(json!({"resourceType": "Encounter", "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "subject": {"reference": format!("Patient/{patient}")}}))
    .await;
    // Refers to the encounter only: a revinclude from the patient cannot reach it.
    let observation = create(json!({"resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "encounter": {"reference": format!("Encounter/{encounter}")}}))
    .await;
    let included = |bundle: &Value| -> Vec<String> {
        let mut found: Vec<String> = entries(bundle, "include")
            .iter()
            .map(|r| {
                format!(
                    "{}/{}",
                    r["resourceType"].as_str().unwrap(),
                    r["id"].as_str().unwrap()
                )
            })
            .collect();
        found.sort();
        found
    };
    let once = search(
        app,
        &format!(
            "Patient?_id={patient}&_revinclude=Encounter:subject&_revinclude=Observation:encounter"
        ),
    )
    .await;
    assert_eq!(included(&once), [format!("Encounter/{encounter}")]);
    let iterated = search(
        app,
        &format!(
            "Patient?_id={patient}&_revinclude=Encounter:subject&_revinclude:iterate=Observation:encounter"
        ),
    )
    .await;
    assert_eq!(
        included(&iterated),
        [
            format!("Encounter/{encounter}"),
            format!("Observation/{observation}")
        ]
    );
    assert_eq!(entries(&iterated, "match").len(), 1, "the patient, once");
}

/// What `label` reads from each match of `query`, sorted.
async fn sorted_matches(
    app: &TestApp,
    query: String,
    label: fn(&Value) -> Option<&str>,
) -> Vec<String> {
    let bundle = search(app, &query).await;
    let mut labels: Vec<String> = (entries(&bundle, "match").into_iter())
        .map(|found| label(found).unwrap_or_default().to_owned())
        .collect();
    labels.sort();
    labels
}

#[tokio::test]
async fn near_finds_the_places_within_a_distance_of_a_point() {
    let app = spawn_app().await;
    for (name, latitude, longitude) in [
        ("Nearby Leeds", 53.7965, -1.5413),
        ("Nearby Bradford", 53.7938, -1.7520),
        ("Nearby York", 53.9590, -1.0815),
        ("Nearby London", 51.5074, -0.1278),
        ("Nearby Suva", -18.1416, 178.4415),
    ] {
        app.create_fhir(&json!({"resourceType": "Location", "name": name,
            "position": {"latitude": latitude, "longitude": longitude}}))
            .await;
    }
    // A place with no position is near nothing.
    app.create_fhir(&json!({"resourceType": "Location", "name": "Nearby Nowhere"}))
        .await;
    let near = |point: &'static str| {
        let query = format!("Location?name=Nearby&near={point}");
        sorted_matches(&app, query, |place| place["name"].as_str())
    };
    // From Leeds city centre: Bradford is 13 km west, York 35 km north-east, London 270 km.
    let leeds = "53.7997|-1.5492";
    assert_eq!(near("53.7997|-1.5492|10|km").await, ["Nearby Leeds"]);
    assert_eq!(
        near("53.7997|-1.5492|20").await,
        ["Nearby Bradford", "Nearby Leeds"]
    );
    assert_eq!(
        near("53.7997|-1.5492|20000|m").await,
        near("53.7997|-1.5492|20|km").await
    );
    assert_eq!(
        near("53.7997|-1.5492|25|[mi_i]").await,
        ["Nearby Bradford", "Nearby Leeds", "Nearby York"]
    );
    // Without a distance, the server's own idea of near: 5 km.
    assert_eq!(near(leeds).await, ["Nearby Leeds"]);
    // Across the antimeridian: Suva is 175 km west of 179.9° W.
    assert_eq!(near("-18.1416|-179.9|200|km").await, ["Nearby Suva"]);
    assert!(near("-18.1416|-179.9|150|km").await.is_empty());

    for malformed in [
        "91|0|5|km",
        "53.8|-1.55|5|furlongs",
        "53.8",
        "53.8|west",
        "53.8|-1.55|-1",
    ] {
        let response = app
            .fhir(Method::GET, &format!("Location?near={malformed}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{malformed}");
        let outcome: Value = response.json().await.unwrap();
        assert_eq!(outcome["resourceType"], "OperationOutcome");
    }
}

#[tokio::test]
async fn phonetic_finds_names_that_sound_alike() {
    let app = spawn_app().await;
    for (family, given) in [
        ("Smyth", "Catherine"),
        ("Smith", "Kathryn"),
        ("Smart", "Cathy"),
    ] {
        app.create_fhir(
            &json!({"resourceType": "Patient", "birthDate": "1911-11-11",
            "name": [{"family": family, "given": [given]}]}),
        )
        .await;
    }
    let found = |query: &'static str| {
        let query = format!("Patient?birthdate=1911-11-11&{query}");
        sorted_matches(&app, query, |patient| patient["name"][0]["family"].as_str())
    };
    assert_eq!(found("phonetic=Smithe").await, ["Smith", "Smyth"]);
    // Given names too: Catherine and Kathryn sound alike but begin differently, as Soundex hears.
    assert_eq!(found("phonetic=Kathryn").await, ["Smith"]);
    assert_eq!(found("phonetic=Cathy,Smart").await, ["Smart"]);
    assert!(found("phonetic=Jones").await.is_empty());

    app.create_fhir(&json!({"resourceType": "Organization", "name": "Leeds Teaching Hospitals"}))
        .await;
    let organisations = search(&app, "Organization?phonetic=Teeching").await;
    assert_eq!(entries(&organisations, "match").len(), 1, "{organisations}");

    for malformed in ["Patient?phonetic=123", "Patient?phonetic:exact=Smith"] {
        let response = app.fhir(Method::GET, malformed).send().await.unwrap();
        assert_eq!(response.status(), 400, "{malformed}");
    }
}

#[tokio::test]
async fn audit_events_are_searched_by_every_parameter_and_a_costly_search_is_refused() {
    let app = spawn_app().await;
    let patients = search(&app, "Patient?_count=1").await;
    let patient_id = entries(&patients, "match")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get_fhir(&format!("Patient/{patient_id}")).await;
    let missing = app
        .fhir(Method::GET, "Observation/no-such-observation")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let ids = |bundle: &Value| -> Vec<String> {
        (entries(bundle, "match").iter())
            .map(|event| event["id"].as_str().unwrap().to_owned())
            .collect()
    };

    // The reads of this patient's record, by what the ledger does not index.
    let reads = search(
        &app,
        &format!("AuditEvent?entity=Patient/{patient_id}&subtype=read&action=R"),
    )
    .await;
    assert_eq!(reads["total"], 1, "{reads}");
    // Refused reads: the missing Observation.
    let refused = search(
        &app,
        "AuditEvent?outcome=4&entity=Observation/no-such-observation",
    )
    .await;
    assert_eq!(ids(&refused).len(), 1, "{refused}");
    let not_refused = search(&app, "AuditEvent?outcome:not=4&_count=1000").await;
    assert!(!ids(&not_refused).contains(&ids(&refused)[0]));

    // Beyond what a search may filter: refused as too costly, saying how to narrow it.
    let db = backend::open_database(&app.database.url).await.unwrap();
    let now = jiff::Timestamp::now();
    let an_hour_on = now + jiff::SignedDuration::from_hours(1);
    let read = |n: usize| {
        store::ledger::Entry::Access(Box::new(store::ledger::AccessEntry {
            recorded: an_hour_on.as_millisecond(),
            interaction: "read".into(),
            action: "R".into(),
            outcome: "0".into(),
            agent: store::ledger::AgentEntry {
                kind: store::ledger::AgentKind::System,
                reference: None,
                identifier: Some(("https://example.org/clients".into(), "importer".into())),
                name: "Importer".into(),
                role: "API client".into(),
            },
            on_behalf_of: None,
            purpose: "HOPERAT".into(),
            reason: None,
            patients: vec![format!("Patient/p{n}")],
            records: Vec::new(),
            query: None,
            address: None,
            request_id: None,
        }))
    };
    let rows: Vec<_> = (0..10_000).map(read).collect();
    db.ledger()
        .append_all(&rows, jiff::Timestamp::now())
        .await
        .unwrap();
    let costly = app
        .fhir(Method::GET, "AuditEvent?outcome=4")
        .send()
        .await
        .unwrap();
    assert_eq!(costly.status(), 400);
    let outcome: Value = costly.json().await.unwrap();
    assert_eq!(outcome["issue"][0]["code"], "too-costly", "{outcome}");
    let half_an_hour_on =
        (now + jiff::SignedDuration::from_mins(30)).strftime("%Y-%m-%dT%H:%M:%SZ");
    let narrowed = format!("AuditEvent?outcome=4&date=lt{half_an_hour_on}&_sort=date");
    let narrowed = ids(&search(&app, &narrowed).await);
    assert_eq!(
        narrowed.len(),
        2,
        "the refused read, and the refused search: {narrowed:?}"
    );
    assert_eq!(narrowed[0], ids(&refused)[0]);
}

#[tokio::test]
async fn documents_and_messages_are_searched_by_their_first_resource() {
    let app = spawn_app().await;
    let patients = search(&app, "Patient?_count=2").await;
    let patients: Vec<String> = (entries(&patients, "match").iter())
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    let document = |n: usize, patient: &str, code: &str| {
        json!({
            "resourceType": "Bundle",
            "type": "document",
            "identifier": { "system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e{n}") },
            "timestamp": "2026-12-01T10:00:00Z",
            "entry": [
                {
                    "fullUrl": format!("urn:uuid:5e2b6c4e-8a1d-4c55-9d0e-5a4d3c2b1a0{n}"),
                    "resource": {
                        "resourceType": "Composition",
                        "id": format!("discharge-{n}"),
                        "status": "final",
                        "type": { "coding": [{ "system": "http://loinc.org", "code": code }] },
                        "subject": { "reference": format!("Patient/{patient}") },
                        "date": "2026-12-01T10:00:00Z",
                        "author": [{ "display": "City Hospital ward 3" }],
                        "title": "Discharge summary",
                    },
                },
            ],
        })
    };
    for (n, (patient, code)) in [(&patients[0], "18842-5"), (&patients[1], "11488-4")]
        .into_iter()
        .enumerate()
    {
        let response = app
            .fhir_with(Method::POST, "Bundle", &document(n, patient, code))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    }
    let message = json!({
        "resourceType": "Bundle",
        "type": "message",
        "timestamp": "2026-12-01T11:00:00Z",
        "entry": [{
            "fullUrl": "urn:uuid:7d0e8c1a-2b3c-4d5e-8f90-a1b2c3d4e5f6",
            "resource": {
                "resourceType": "MessageHeader",
                "id": "admit-1",
                "eventCoding": { "system": "http://example.org/events", "code": "admit" },
                "source": { "endpoint": "https://example.org/ward" },
                "focus": [{ "reference": format!("Patient/{}", patients[0]) }],
            },
        }],
    });
    let response = app
        .fhir_with(Method::POST, "Bundle", &message)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());

    let titles = |bundle: &Value| -> Vec<String> {
        (entries(bundle, "match").iter())
            .map(|b| b["entry"][0]["resource"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = format!("Bundle?composition.subject=Patient/{}", patients[0]);
    assert_eq!(titles(&search(&app, &first).await), ["discharge-0"]);
    let by_type = "Bundle?composition.type=http://loinc.org|11488-4";
    assert_eq!(titles(&search(&app, by_type).await), ["discharge-1"]);
    let both = "Bundle?composition.title=discharge&_sort=_lastUpdated";
    assert_eq!(
        titles(&search(&app, both).await),
        ["discharge-0", "discharge-1"]
    );
    assert_eq!(
        titles(&search(&app, "Bundle?composition=Composition/discharge-1").await),
        ["discharge-1"]
    );
    let family = entries(
        &search(&app, &format!("Patient?_id={}", patients[0])).await,
        "match",
    )[0]["name"][0]["family"]
        .as_str()
        .unwrap()
        .to_owned();
    let chained = format!("Bundle?composition.subject:Patient.family={family}&type=document");
    assert!(titles(&search(&app, &chained).await).contains(&"discharge-0".to_owned()));
    let admitted = format!(
        "Bundle?message.event=admit&message.focus=Patient/{}",
        patients[0]
    );
    assert_eq!(titles(&search(&app, &admitted).await), ["admit-1"]);
    assert_eq!(
        titles(&search(&app, "Bundle?message.event=discharge").await),
        Vec::<String>::new()
    );
    let unknown = app
        .fhir(Method::GET, "Bundle?composition.colour=red")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let include = app
        .fhir(Method::GET, "Bundle?_include=Bundle:composition")
        .send()
        .await
        .unwrap();
    assert_eq!(
        include.status(),
        400,
        "the composition is in the Bundle already"
    );
}
