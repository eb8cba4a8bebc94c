//! Forms kept for the page that shows them again: once, on that page, while fresh.

use backend::kept_forms::{LIFETIME, keep, take};
use jiff::{SignedDuration, Timestamp};

use crate::empty_db;

#[tokio::test]
async fn a_kept_form_is_shown_once_on_its_own_page_while_fresh() {
    let (db, _database) = empty_db().await;
    let now = Timestamp::now();
    let page = "/patients/1/vital-signs";
    let id = keep(&db, page, "systolic=300&diastolic=80", now)
        .await
        .unwrap();
    assert_eq!(
        take(&db, &id, page, now).await.unwrap().as_deref(),
        Some("systolic=300&diastolic=80")
    );
    assert_eq!(take(&db, &id, page, now).await.unwrap(), None, "shown once");

    let id = keep(&db, page, "systolic=300", now).await.unwrap();
    assert_eq!(
        take(&db, &id, "/book", now).await.unwrap(),
        None,
        "another page"
    );
    assert_eq!(
        take(&db, &id, page, now).await.unwrap(),
        None,
        "gone all the same"
    );

    let id = keep(&db, page, "systolic=300", now).await.unwrap();
    let later = now + LIFETIME + SignedDuration::from_secs(1);
    assert_eq!(take(&db, &id, page, later).await.unwrap(), None, "too old");
    assert_eq!(take(&db, "not-an-id", page, now).await.unwrap(), None);
}
