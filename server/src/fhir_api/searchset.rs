//! The searchset Bundle: matches, includes, the total and paging links, and what the search
//! left out.

use fhir::{ResourceType, operation_outcome::Issue, search::SearchQuery};
use serde_json::{Value, json};
use store::search::SearchPage;

pub fn bundle(
    base: &str,
    resource_type: ResourceType,
    pairs: &[(String, String)],
    query: &SearchQuery,
    page: SearchPage,
    ignored: &[Issue],
) -> Value {
    let link_to = |offset: i64| {
        let mut url = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs.iter().filter(|(k, _)| k != "_offset") {
            url.append_pair(k, v);
        }
        url.append_pair("_offset", &offset.to_string());
        format!("{base}/{resource_type}?{}", url.finish())
    };
    let mut link = vec![json!({ "relation": "self", "url": link_to(query.offset) })];
    if !query.summary_count && query.count > 0 {
        if page.more {
            link.push(json!({ "relation": "next", "url": link_to(query.offset + query.count) }));
        }
        if query.offset > 0 {
            link.push(json!({ "relation": "previous", "url": link_to((query.offset - query.count).max(0)) }));
        }
    }
    let entry = |resource: Value, mode: &str| {
        let full_url = format!(
            "{base}/{}/{}",
            resource["resourceType"].as_str().unwrap_or_default(),
            resource["id"].as_str().unwrap_or_default()
        );
        json!({ "fullUrl": full_url, "resource": resource, "search": { "mode": mode } })
    };
    let entries: Vec<Value> = page
        .matches
        .into_iter()
        .map(|m| {
            let mut resource = m.resource;
            if let Some(subset) = &query.subset {
                subset.apply(&mut resource);
            }
            entry(resource, "match")
        })
        .chain(
            page.included
                .into_iter()
                .map(|i| entry(i.resource, "include")),
        )
        .chain((!ignored.is_empty()).then(|| {
            json!({
                "resource": fhir::operation_outcome::warnings(ignored),
                "search": { "mode": "outcome" },
            })
        }))
        .collect();
    let mut bundle = json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "link": link,
    });
    if let Some(total) = page.total {
        bundle["total"] = json!(total);
    }
    if !entries.is_empty() {
        bundle["entry"] = json!(entries);
    }
    bundle
}
