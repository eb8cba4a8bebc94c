//! "Who has looked at your record" over a long trail: paged newest first by plain links, and
//! filtered by who looked, without JavaScript.

use crate::helpers::{Browser, spawn_app};

/// The `href` of the link whose text is `text`, entities as the page writes them.
fn link<'a>(page: &'a str, text: &str) -> Option<&'a str> {
    let end = page.find(&format!(">{text}</a>"))?;
    let start = page[..end].rfind("href=\"")? + "href=\"".len();
    page[start..].split('"').next()
}

/// The accesses a page lists: their `<time datetime>` and the words after them.
fn accesses(page: &str) -> Vec<String> {
    page.split("<li class=\"access\">")
        .skip(1)
        .map(|item| item.split("</li>").next().unwrap_or_default().to_owned())
        .collect()
}

/// The machine-readable instant of one listed access.
fn instant(access: &str) -> jiff::Timestamp {
    access
        .split("datetime=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|datetime| datetime.parse().ok())
        .unwrap_or_else(|| panic!("an access without a datetime: {access}"))
}

#[tokio::test]
async fn a_long_trail_is_paged_newest_first_and_filtered_by_who_looked() {
    let app = spawn_app().await;
    let a = app.patient_a_id().await;
    // A connected system reads patient A's record thirty times.
    for _ in 0..30 {
        app.get_fhir(&format!("Patient/{a}")).await;
    }
    let patient = Browser::new();
    patient.sign_in_as_persona(&app.address, "patient-p9").await;
    let (_, first) = patient
        .get_html(&format!("{}/your-record/who-has-looked", app.address))
        .await;
    let newest = accesses(&first);
    assert_eq!(newest.len(), 25, "a page lists 25: {first}");
    assert!(newest[0].contains("a connected computer system"), "{first}");
    assert!(link(&first, "Newest entries").is_none(), "{first}");

    let older = link(&first, "Older entries").expect("a link to older entries");
    let older = older.replace("&amp;", "&");
    let (status, second) = patient.get_html(&format!("{}{older}", app.address)).await;
    assert_eq!(status, 200);
    let next = accesses(&second);
    // The thirty reads and the search that found patient A, each exactly once: reads a
    // millisecond apart look alike, so the pages are checked by count and by order.
    assert_eq!(newest.len() + next.len(), 31, "the rest: {second}");
    assert!(link(&second, "Older entries").is_none(), "{second}");
    let instants: Vec<jiff::Timestamp> = newest
        .iter()
        .chain(&next)
        .map(|access| instant(access))
        .collect();
    assert!(
        instants.windows(2).all(|pair| pair[0] >= pair[1]),
        "newest first across both pages: {instants:?}"
    );
    assert!(link(&second, "Newest entries").is_some(), "{second}");

    // Staff have not looked; systems have, all thirty times.
    let (_, staff) = patient
        .get_html(&format!(
            "{}/your-record/who-has-looked?who=staff",
            app.address
        ))
        .await;
    assert!(accesses(&staff).is_empty(), "{staff}");
    assert!(
        staff.contains("There is nothing to show for this choice."),
        "{staff}"
    );
    assert!(
        staff.contains(r#"value="staff" checked"#),
        "the choice stays chosen: {staff}"
    );
    let (_, systems) = patient
        .get_html(&format!(
            "{}/your-record/who-has-looked?who=systems",
            app.address
        ))
        .await;
    assert_eq!(accesses(&systems).len(), 25, "{systems}");
    // An address edited by hand gives the default list, not an error.
    let (status, odd) = patient
        .get_html(&format!(
            "{}/your-record/who-has-looked?who=nobody&before=x",
            app.address
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(accesses(&odd).len(), 25, "{odd}");
}
