//! The resource store's versioning rules, on whichever backend the suite runs against.

use fhir::ResourceType::{Observation, Patient};
use jiff::Timestamp;
use serde_json::json;
use store::{Found, HistoryEntry, WriteError};

use crate::empty_db;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + seconds).unwrap()
}

#[tokio::test]
async fn create_assigns_a_new_id_and_version_1_with_meta() {
    let (db, _database) = empty_db().await;
    let body = json!({"resourceType": "Patient", "id": "client-chose-this", "meta": {"versionId": "7", "profile": ["p"]}});
    let created = store::create(&db, Patient, body, at(0)).await.unwrap();
    let id = created.resource["id"].as_str().unwrap().to_owned();
    assert_ne!(id, "client-chose-this", "the server assigns ids on create");
    assert_eq!(created.version_id, 1);
    assert_eq!(created.resource["meta"]["versionId"], "1");
    assert_eq!(
        created.resource["meta"]["profile"],
        json!(["p"]),
        "other meta is kept"
    );
    assert_eq!(
        created.resource["meta"]["lastUpdated"],
        store::instant(at(0))
    );
    assert!(store::instant(at(0)).ends_with(".000Z"), "fixed width, UTC");
    assert_eq!(
        store::read(&db, Patient, &id).await.unwrap(),
        Found::Current(created)
    );
}

#[tokio::test]
async fn updates_make_versions_and_if_match_refuses_a_stale_one() {
    let (db, _database) = empty_db().await;
    let (v1, created) = store::update(
        &db,
        Patient,
        "p1",
        json!({"resourceType": "Patient", "gender": "female"}),
        None,
        at(0),
    )
    .await
    .unwrap();
    assert!(created, "update of a new id creates it");
    assert_eq!(v1.version_id, 1);
    let (v2, created) = store::update(
        &db,
        Patient,
        "p1",
        json!({"resourceType": "Patient", "gender": "male"}),
        Some(1),
        at(1),
    )
    .await
    .unwrap();
    assert!(!created);
    assert_eq!(v2.version_id, 2);

    let stale = store::update(
        &db,
        Patient,
        "p1",
        json!({"resourceType": "Patient"}),
        Some(1),
        at(2),
    )
    .await;
    assert!(
        matches!(stale, Err(WriteError::VersionMismatch { current: 2 })),
        "{stale:?}"
    );
    let Found::Current(current) = store::read(&db, Patient, "p1").await.unwrap() else {
        panic!("p1 is there")
    };
    assert_eq!(
        current.resource["gender"], "male",
        "a refused update changes nothing"
    );

    let Found::Current(old) = store::read_version(&db, Patient, "p1", 1).await.unwrap() else {
        panic!("v1 kept")
    };
    assert_eq!(old.resource["gender"], "female");
    assert_eq!(
        store::read_version(&db, Patient, "p1", 2).await.unwrap(),
        Found::Current(current),
        "the current version is read by its number too"
    );
    assert_eq!(
        store::read_version(&db, Patient, "p1", 9).await.unwrap(),
        Found::Missing
    );
}

#[tokio::test]
async fn delete_leaves_a_gone_resource_with_its_history() {
    let (db, _database) = empty_db().await;
    write_patient(&db, "p1", at(0)).await.unwrap();
    store::delete(&db, Patient, "p1", at(1)).await.unwrap();
    assert_eq!(
        store::read(&db, Patient, "p1").await.unwrap(),
        Found::Deleted { version_id: 2 }
    );
    store::delete(&db, Patient, "p1", at(2)).await.unwrap();
    assert_eq!(
        store::read(&db, Patient, "p1").await.unwrap(),
        Found::Deleted { version_id: 2 },
        "deleting again changes nothing"
    );
    assert!(matches!(
        store::delete(&db, Patient, "nobody", at(3)).await,
        Err(WriteError::NotFound)
    ));
    assert_eq!(store::count(&db, "Patient").await.unwrap(), 0);

    let history = store::history(&db, Patient, "p1").await.unwrap();
    assert_eq!(history.len(), 2);
    assert!(matches!(
        &history[0],
        HistoryEntry::Deleted { version_id: 2, .. }
    ));
    assert!(matches!(&history[1], HistoryEntry::Written(v) if v.version_id == 1));

    let (revived, _) = write_patient(&db, "p1", at(4)).await.unwrap();
    assert_eq!(
        revived.version_id, 3,
        "an update after delete continues the history"
    );
}

#[tokio::test]
async fn concurrent_reads_each_get_their_own_record_and_see_every_acknowledged_write() {
    let (db, _database) = empty_db().await;
    for n in 0..40 {
        write_patient(&db, &format!("p{n}"), at(n)).await.unwrap();
    }
    store::delete(&db, Patient, "p7", at(50)).await.unwrap();
    // 200 reads at once, many of the same records, some of records that are gone or never were,
    // and of two types: far more than one statement answers, so they are gathered.
    let mut reads = tokio::task::JoinSet::new();
    for n in 0..200 {
        let db = db.clone();
        reads.spawn(async move {
            let (resource_type, id) = match n % 10 {
                9 => (Observation, "p1".to_owned()),
                8 => (Patient, format!("nobody{n}")),
                _ => (Patient, format!("p{}", n % 40)),
            };
            let found = store::read(&db, resource_type, &id).await.unwrap();
            (resource_type, id, found)
        });
    }
    while let Some(read) = reads.join_next().await {
        let (resource_type, id, found) = read.unwrap();
        match found {
            Found::Current(patient) => {
                assert_eq!(
                    (resource_type, patient.resource["id"].as_str()),
                    (Patient, Some(id.as_str()))
                );
                assert_eq!(patient.version_id, 1);
                assert_ne!(id, "p7");
            }
            Found::Deleted { version_id } => assert_eq!((id.as_str(), version_id), ("p7", 2)),
            Found::Missing => assert!(
                resource_type == Observation || id.starts_with("nobody"),
                "{resource_type}/{id} is there"
            ),
        }
    }
    // A write acknowledged before a read is in what the read finds.
    for version in 2..12 {
        let (written, _) = write_patient(&db, "p3", at(100 + version)).await.unwrap();
        let Found::Current(read) = store::read(&db, Patient, "p3").await.unwrap() else {
            panic!("p3 is there");
        };
        assert_eq!(read.version_id, written.version_id);
    }
}

#[tokio::test]
async fn type_history_lists_the_newest_versions_of_any_resource_first() {
    let (db, _database) = empty_db().await;
    // Written in this order, one second apart: a1, b1, a2, c1, b2 (deleted), a3.
    let writes = [
        ("a", false),
        ("b", false),
        ("a", false),
        ("c", false),
        ("b", true),
        ("a", false),
    ];
    for (second, (id, delete)) in writes.into_iter().enumerate() {
        let when = at(second as i64);
        if delete {
            store::delete(&db, Patient, id, when).await.unwrap();
        } else {
            write_patient(&db, id, when).await.unwrap();
        }
    }
    let listed = |limit| {
        let db = db.clone();
        async move {
            store::type_history(&db, Patient, limit)
                .await
                .unwrap()
                .into_iter()
                .map(|(id, entry)| match entry {
                    HistoryEntry::Written(v) => format!("{id}{}", v.version_id),
                    HistoryEntry::Deleted { version_id, .. } => format!("{id}{version_id} deleted"),
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed(4).await,
        ["a3", "b2 deleted", "c1", "a2"],
        "current and older versions, merged by time"
    );
    assert_eq!(
        listed(10).await,
        ["a3", "b2 deleted", "c1", "a2", "b1", "a1"]
    );
}

#[tokio::test]
async fn racing_updates_on_the_same_version_let_exactly_one_win() {
    let (db, _database) = empty_db().await;
    write_patient(&db, "p1", at(0)).await.unwrap();
    let racers = (0..8).map(|n| {
        let db = db.clone();
        tokio::spawn(async move {
            let body = json!({"resourceType": "Patient", "birthDate": format!("200{n}-01-01")});
            store::update(&db, Patient, "p1", body, Some(1), at(1)).await
        })
    });
    let mut wins = 0;
    for racer in racers {
        match racer.await.unwrap() {
            Ok(_) => wins += 1,
            Err(WriteError::VersionMismatch { current: 2 }) => {}
            Err(other) => panic!("a loser must see the winner's version, not {other:?}"),
        }
    }
    assert_eq!(wins, 1);
    assert_eq!(store::history(&db, Patient, "p1").await.unwrap().len(), 2);
}

#[tokio::test]
async fn racing_updates_without_a_version_all_land_one_after_another() {
    let (db, _database) = empty_db().await;
    write_patient(&db, "p1", at(0)).await.unwrap();
    let racers: Vec<_> = (0..8)
        .map(|n| {
            let db = db.clone();
            tokio::spawn(async move {
                let body = json!({"resourceType": "Patient", "birthDate": format!("200{n}-01-01")});
                store::update(&db, Patient, "p1", body, None, at(1)).await
            })
        })
        .collect();
    for racer in racers {
        racer
            .await
            .unwrap()
            .expect("an update without If-Match waits its turn");
    }
    let history = store::history(&db, Patient, "p1").await.unwrap();
    let versions: Vec<i64> = history
        .iter()
        .map(|entry| match entry {
            HistoryEntry::Written(v) => v.version_id,
            HistoryEntry::Deleted { version_id, .. } => *version_id,
        })
        .collect();
    assert_eq!(versions, (1..=9).rev().collect::<Vec<_>>());
    // Every racer's body is one version: none was lost under another.
    let mut births: Vec<String> = history[..8]
        .iter()
        .map(|entry| match entry {
            HistoryEntry::Written(v) => v.resource["birthDate"].as_str().unwrap().to_owned(),
            HistoryEntry::Deleted { .. } => panic!("nothing was deleted"),
        })
        .collect();
    births.sort();
    assert_eq!(
        births,
        (0..8).map(|n| format!("200{n}-01-01")).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn last_updated_searches_and_sorts_by_when_each_version_was_stored() {
    let (db, _database) = empty_db().await;
    for (id, seconds) in [("early", 0), ("middle", 3_600), ("late", 7_200)] {
        write_patient(&db, id, at(seconds)).await.unwrap();
    }
    // "early" changes last: only its newest version counts.
    store::update(
        &db,
        Patient,
        "early",
        json!({"resourceType": "Patient", "gender": "other"}),
        None,
        at(10_800),
    )
    .await
    .unwrap();
    let instant = |prefix, seconds| {
        format!(
            "{prefix}{}",
            store::instant(at(seconds)).replace(".000Z", "Z")
        )
    };
    let (ge, lt, gt) = (
        instant("ge", 3_600),
        instant("lt", 7_200),
        instant("gt", 7_200),
    );
    // A time to the second finds what was stored within that second.
    let eq = instant("eq", 3_600);
    // Each search's parameters, and the ids it lists in order.
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: [Case; 4] = [
        (
            &[("_lastUpdated", &ge), ("_sort", "_lastUpdated")],
            &["middle", "late", "early"],
        ),
        (
            &[("_lastUpdated", &lt), ("_sort", "-_lastUpdated")],
            &["middle"],
        ),
        (&[("_lastUpdated", &gt)], &["early"]),
        (&[("_lastUpdated", &eq)], &["middle"]),
    ];
    for (params, expected) in cases {
        assert_eq!(search(&db, Patient, params).await.1, expected, "{params:?}");
    }
}

#[tokio::test]
async fn the_search_index_is_rebuilt_at_start_up_when_its_definitions_changed() {
    let (db, database) = empty_db().await;
    store::create(
        &db,
        Patient,
        json!({"resourceType": "Patient", "name": [{"family": "Rebuilt"}]}),
        at(0),
    )
    .await
    .unwrap();
    // As an older release left it: built by other definitions, missing this entry.
    let pool = sqlx::AnyPool::connect(&database.url).await.unwrap();
    sqlx::query("DELETE FROM search_index")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE search_index_state SET index_version = 0")
        .execute(&pool)
        .await
        .unwrap();
    let rebuilt = [("family", "rebuilt")];
    assert_eq!(search(&db, Patient, &rebuilt).await.0, 0);
    db.migrate().await.unwrap();
    assert_eq!(
        search(&db, Patient, &rebuilt).await.0,
        1,
        "found again after start-up"
    );
}

#[tokio::test]
async fn a_date_range_search_finds_instants_in_it_and_long_periods_across_it() {
    use fhir::ResourceType::{Schedule, Slot};
    let (db, _database) = empty_db().await;
    let slot = |id: &str, start: &str| {
        json!({
            "resourceType": "Slot", "id": id, "status": "free",
            "schedule": { "reference": "Schedule/s" },
            "start": start, "end": start,
        })
    };
    insert_all(
        &db,
        vec![
            slot("before", "2026-06-01T23:59:59Z"),
            slot("first", "2026-06-02T00:00:00Z"),
            slot("last", "2026-06-02T23:59:59Z"),
            slot("after", "2026-06-03T00:00:00Z"),
            // A diary open all year: its range starts long before the day asked about.
            json!({
                "resourceType": "Schedule", "id": "year", "actor": [{ "reference": "Location/l" }],
                "planningHorizon": { "start": "2026-01-01T00:00:00Z", "end": "2026-12-31T00:00:00Z" },
            }),
            json!({
                "resourceType": "Schedule", "id": "january", "actor": [{ "reference": "Location/l" }],
                "planningHorizon": { "start": "2026-01-01T00:00:00Z", "end": "2026-01-31T00:00:00Z" },
            }),
            // Open since forever: no start at all.
            json!({
                "resourceType": "Schedule", "id": "open", "actor": [{ "reference": "Location/l" }],
                "planningHorizon": { "end": "2026-12-31T00:00:00Z" },
            }),
            // A day where an instant belongs: not a valid Slot, but stored as given, it must
            // still be found (its range is a day, not the second an instant's is).
            slot("dated", "2026-06-05"),
            // Ongoing since 1975: so wide a range that a bound below 1970 is none at all.
            json!({
                "resourceType": "Observation", "id": "ongoing", "status": "final",
                "code": { "text": "Smoker" },
                "effectivePeriod": { "start": "1975-01-01T00:00:00Z" },
            }),
        ],
    )
    .await;
    assert_eq!(
        search(
            &db,
            Slot,
            &[("start", "ge2026-06-02"), ("start", "lt2026-06-03")]
        )
        .await
        .1,
        ["first", "last"]
    );
    assert_eq!(
        search(
            &db,
            Schedule,
            &[("date", "ge2026-06-02"), ("date", "lt2026-06-03")]
        )
        .await
        .1,
        ["year", "open"]
    );
    assert_eq!(
        search(&db, Schedule, &[("date", "ge1960-06-02")]).await.1,
        ["year", "january", "open"],
        "before 1970, beside a period without a start"
    );
    assert_eq!(
        search(&db, Observation, &[("date", "ge1960-06-02")])
            .await
            .1,
        ["ongoing"],
        "before 1970, beside a period without an end"
    );
    assert_eq!(
        search(&db, Slot, &[("start", "gt2026-06-05T12:00:00Z")])
            .await
            .1,
        ["dated"],
        "a day-long value ends after midday"
    );
    assert_eq!(
        search(&db, Slot, &[("start", "2026-06-01,2026-06-03")])
            .await
            .1,
        ["before", "after"],
        "either of two days"
    );
    assert_eq!(
        search(&db, Slot, &[("start", "ge2026-06-02T23:59:59Z")])
            .await
            .1,
        ["last", "after", "dated"],
        "at or after a second: the one at it, and the day that ends after it"
    );
    assert_eq!(
        search(&db, Slot, &[("start", "le2026-06-02")]).await.1,
        ["before", "first", "last"],
        "on or before a day: within it, and before it"
    );
    assert_eq!(
        search(&db, Schedule, &[("date", "le2025-12-31")]).await.1,
        ["open"],
        "on or before a day: only the period that has no start"
    );
}

#[tokio::test]
async fn a_resource_is_counted_and_listed_once_however_many_of_its_values_match() {
    let (db, _database) = empty_db().await;
    let patient = |id: &str, given: &[&str], gender: &str| {
        json!({
            "resourceType": "Patient", "id": id, "gender": gender,
            "name": [{ "family": "Twice", "given": given }],
        })
    };
    insert_all(
        &db,
        vec![
            patient("both", &["Ann", "Anne"], "female"),
            patient("one", &["Anne"], "female"),
            patient("other", &["Anne"], "male"),
        ],
    )
    .await;
    assert_eq!(
        search(&db, Patient, &[("given", "ann")]).await,
        (3, vec!["both".into(), "one".into(), "other".into()]),
        "'ann' starts both of the first patient's given names"
    );
    assert_eq!(
        search(&db, Patient, &[("given", "ann"), ("gender", "female")]).await,
        (2, vec!["both".into(), "one".into()])
    );
    assert_eq!(
        search(
            &db,
            Patient,
            &[("given", "ann"), ("gender", "female"), ("_count", "1")]
        )
        .await
        .0,
        2,
        "the total counts every match, not the page"
    );

    // Two values for one date parameter (invalid, but stored): one date to search by.
    insert_all(
        &db,
        vec![json!({
            "resourceType": "Observation", "id": "two-dates", "status": "final",
            "code": { "text": "Pulse" },
            "effectiveDateTime": "2024-05-01",
            "effectivePeriod": { "start": "2023-01-01", "end": "2024-12-31" },
        })],
    )
    .await;
    assert_eq!(
        search(&db, Observation, &[("date", "ge2023-01-01")]).await,
        (1, vec!["two-dates".into()])
    );
}

#[tokio::test]
async fn a_types_resources_are_listed_in_the_order_first_stored_and_on_sqlite_lie_together() {
    let (db, database) = empty_db().await;
    // Patients written between other records, in every way a resource is first stored.
    let observation = |id: &str| json!({"resourceType": "Observation", "id": id, "status": "final", "code": {"text": "Pulse"}});
    let patient = |id: &str| json!({"resourceType": "Patient", "id": id});
    insert_all(&db, vec![patient("p1"), observation("o1"), patient("p2")]).await;
    store::create(&db, Observation, observation("ignored"), at(1))
        .await
        .unwrap();
    store::update(&db, Patient, "p3", patient("p3"), None, at(2))
        .await
        .unwrap();
    insert_all(&db, vec![observation("o2"), patient("p4")]).await;

    assert_eq!(
        search(&db, Patient, &[]).await,
        (4, ["p1", "p2", "p3", "p4"].map(String::from).to_vec()),
        "without _sort, in the order first stored"
    );
    if db.backend() != store::db::Backend::Sqlite {
        // PostgreSQL keeps rows in the order they arrive whatever their key: no layout to check.
        return;
    }
    let pool = sqlx::AnyPool::connect(&database.url).await.unwrap();
    let keys: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT resource_type, id, rid FROM resources ORDER BY rid")
            .fetch_all(&pool)
            .await
            .unwrap();
    let types: Vec<&str> = keys.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "Observation",
            "Observation",
            "Observation",
            "Patient",
            "Patient",
            "Patient",
            "Patient"
        ],
        "each type's rows next to each other: {keys:?}"
    );
    let patients: Vec<(&str, i64)> = keys[3..]
        .iter()
        .map(|(_, id, rid)| (id.as_str(), *rid))
        .collect();
    let first = patients[0].1;
    assert_eq!(
        patients,
        [
            ("p1", first),
            ("p2", first + 1),
            ("p3", first + 2),
            ("p4", first + 3)
        ],
        "in the order first stored, with no gaps"
    );
}

fn named(id: &str, names: serde_json::Value) -> serde_json::Value {
    json!({"resourceType": "Patient", "id": id, "name": names})
}

/// Patients for searches by family and given name together.
fn quins() -> Vec<serde_json::Value> {
    vec![
        named("p1", json!([{"family": "Quinn", "given": ["Amara"]}])),
        // Two given names that match: listed once, by the first.
        named(
            "p2",
            json!([{"family": "Quinlan", "given": ["Amaryllis", "Amara"]}]),
        ),
        // The family name in one `name` and the given name in another: FHIR ANDs the two
        // parameters over the whole resource, so this matches too.
        named(
            "p3",
            json!([{"family": "Smith", "given": ["Amelia"]}, {"family": "Quint"}]),
        ),
        named("p4", json!([{"family": "Quin", "given": ["Bob"]}])),
        named("p5", json!([{"family": "Abbot", "given": ["Amara"]}])),
        named("p6", json!([{"family": "Quinby", "given": ["Axel"]}])),
        named("p7", json!([{"family": "Quincy", "given": ["A_ron"]}])),
    ]
}

async fn pages_by_family_and_given(db: &store::Db, family: &str, given: &str) -> Vec<String> {
    let mut listed = Vec::new();
    for offset in ["0", "2", "4"] {
        let (total, ids) = search(
            db,
            Patient,
            &[
                ("family", family),
                ("given", given),
                ("_sort", "family,given"),
                ("_count", "2"),
                ("_offset", offset),
            ],
        )
        .await;
        assert_eq!(total, 3, "counted once each: {family} {given}");
        listed.extend(ids);
    }
    listed
}

#[tokio::test]
async fn a_search_by_family_and_given_name_pairs_them_across_names_and_pages_in_name_order() {
    let (db, _database) = empty_db().await;
    insert_all(&db, quins()).await;

    assert_eq!(
        pages_by_family_and_given(&db, "quin", "am").await,
        ["p2", "p1", "p3"],
        "Quinlan, Quinn, Quint: every match once, in name order, across pages"
    );
    assert_eq!(
        search(&db, Patient, &[("family", "Quin"), ("given", "AM")]).await,
        (3, vec!["p1".into(), "p2".into(), "p3".into()]),
        "without _sort, in the order first stored"
    );
    assert_eq!(
        search(&db, Patient, &[("family", "quin"), ("given", "a_")]).await,
        (1, vec!["p7".into()]),
        "`_` is a letter to match, not a wildcard"
    );
    assert_eq!(
        search(&db, Patient, &[("family", "smith"), ("given", "bob")])
            .await
            .0,
        0
    );
    // Stored changes move the pairs with them.
    store::update(
        &db,
        Patient,
        "p4",
        named("p4", json!([{"family": "Quin", "given": ["Amos"]}])),
        None,
        at(1),
    )
    .await
    .unwrap();
    let (total, ids) = search(
        &db,
        Patient,
        &[
            ("family", "quin"),
            ("given", "am"),
            ("_sort", "family,given"),
        ],
    )
    .await;
    assert_eq!(
        (total, ids),
        (4, vec!["p4".into(), "p2".into(), "p1".into(), "p3".into()])
    );
}

#[tokio::test]
async fn the_name_pairs_migration_derives_the_pairs_each_write_would() {
    let (db, database) = empty_db().await;
    insert_all(&db, quins()).await;
    let pool = sqlx::AnyPool::connect(&database.url).await.unwrap();
    let pairs = || async {
        sqlx::query_as::<_, (i64, String)>(
            "SELECT rid, value FROM search_index WHERE param = 'family+given' ORDER BY rid, value",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    let written = pairs().await;
    assert_eq!(
        written.len(),
        9,
        "one each, two for p2 and for p3: {written:?}"
    );

    // As the release before left a database: no pairs, index version 2.
    sqlx::query("DELETE FROM search_index WHERE param = 'family+given'")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE search_index_state SET index_version = 2")
        .execute(&pool)
        .await
        .unwrap();
    let migration = if database.url.starts_with("sqlite:") {
        include_str!("../../../../migrations/sqlite/0015_name_pairs.sql")
    } else {
        include_str!("../../../../migrations/postgres/0014_name_pairs.sql")
    };
    sqlx::raw_sql(migration).execute(&pool).await.unwrap();
    assert_eq!(pairs().await, written);
    let (version,): (i64,) = sqlx::query_as("SELECT index_version FROM search_index_state")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        version, 3,
        "the version the pairs were added in: no rebuild for them"
    );
}

/// Stores `resources` as new, in one transaction, each with the id it carries.
async fn insert_all(db: &store::Db, resources: Vec<serde_json::Value>) {
    let mut tx = store::begin(db).await.unwrap();
    store::insert_new_many(&mut tx, resources, at(0))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// What a search finds: its total, and the ids on its page in the order listed (without
/// `_sort`, the order resources were first stored in).
async fn search(
    db: &store::Db,
    resource_type: fhir::ResourceType,
    params: &[(&str, &str)],
) -> (i64, Vec<String>) {
    let params: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let query = fhir::search::parse_query(resource_type, &params).unwrap();
    let page = store::search::search(db, resource_type, &query)
        .await
        .unwrap();
    let ids = page
        .matches
        .iter()
        .map(|m| m.resource["id"].as_str().unwrap().to_owned())
        .collect();
    (page.total.expect("counted unless _total=none"), ids)
}

/// Writes a bare patient `id` at `when` (created, or a new version): for tests of versions.
async fn write_patient(
    db: &store::Db,
    id: &str,
    when: Timestamp,
) -> Result<(store::Versioned, bool), WriteError> {
    store::update(
        db,
        Patient,
        id,
        json!({"resourceType": "Patient"}),
        None,
        when,
    )
    .await
}
